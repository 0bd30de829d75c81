package io.syncgateway.client.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ends a command that runs until stopped ({@code watch}): Ctrl-C on the command line, the test in
 * tests. On Ctrl-C the JVM waits (briefly) for the command to close its store cleanly.
 */
public final class StopSignal {
  private static final long CLEAN_UP_MS = 5000;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final boolean onCtrlC;

  private StopSignal(boolean onCtrlC) {
    this.onCtrlC = onCtrlC;
  }

  public static StopSignal ctrlC() {
    return new StopSignal(true);
  }

  public static StopSignal manual() {
    return new StopSignal(false);
  }

  public void stop() {
    stop.countDown();
  }

  /** Blocks until stopped. */
  void await() {
    if (onCtrlC) {
      Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndWaitForCleanUp));
    }
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The command has released everything. */
  void finished() {
    finished.countDown();
  }

  private void stopAndWaitForCleanUp() {
    stop();
    try {
      finished.await(CLEAN_UP_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
