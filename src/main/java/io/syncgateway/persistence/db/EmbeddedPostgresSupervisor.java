package io.syncgateway.persistence.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the embedded PostgreSQL running: checks every second that its postmaster is alive and, when it died (SIGKILL,
 * OOM killer, a crash), restarts it on the same data directory and port, with exponential backoff between failed
 * attempts. The gateway's pool reconnects by itself and the circuit breaker closes after its half-open probe, so
 * clients see 503s for a few seconds, then service resumes without a gateway restart.
 *
 * <p>When {@code maxAttempts} attempts in a row fail, the supervisor gives up and reports {@link State#FAILED}: the
 * gateway then fails its liveness check so that the process supervisor (systemd, Kubernetes) restarts it, which
 * in turn tries the database once more from scratch.
 *
 * <p>Checks and restarts run on a thread of their own: a restart blocks for a second or more.
 */
public final class EmbeddedPostgresSupervisor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresSupervisor.class);
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** As a number (the ordinal): 0 running, 1 restarting, 2 given up. */
  public enum State { RUNNING, RESTARTING, FAILED }

  /** Told about every restart attempt, for metrics. */
  @FunctionalInterface
  public interface RestartListener {
    void attempted(boolean succeeded);
  }

  private final EmbeddedPostgresServer server;
  private final int maxAttempts;
  private final RestartListener listener;
  private final ScheduledExecutorService thread;
  private volatile State state = State.RUNNING;
  /** Attempts since the postmaster died; touched on the supervisor's thread only. */
  private int attempts;
  private long diedAt;

  private EmbeddedPostgresSupervisor(EmbeddedPostgresServer server, int maxAttempts, RestartListener listener) {
    this.server = server;
    this.maxAttempts = maxAttempts;
    this.listener = listener;
    this.thread = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread supervisor = new Thread(task, "embedded-postgres-supervisor");
      supervisor.setDaemon(true);
      return supervisor;
    });
  }

  /**
   * Starts watching {@code server}.
   *
   * @param maxAttempts restart attempts in a row before giving up; 0 gives up as soon as the postmaster dies
   */
  public static EmbeddedPostgresSupervisor start(EmbeddedPostgresServer server, int maxAttempts,
      RestartListener listener) {
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be 0 or more, got " + maxAttempts);
    }
    EmbeddedPostgresSupervisor supervisor = new EmbeddedPostgresSupervisor(server, maxAttempts, listener);
    supervisor.thread.scheduleWithFixedDelay(supervisor::check, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    return supervisor;
  }

  public State state() {
    return state;
  }

  /** Stops watching; call it before closing the server, whose shutdown would otherwise look like a death. */
  @Override
  public void close() {
    thread.shutdownNow();
  }

  private void check() {
    if (state != State.RUNNING || server.isRunning()) {
      return;
    }
    diedAt = System.nanoTime();
    attempts = 0;
    state = State.RESTARTING;
    LOG.error("The embedded PostgreSQL in {} is not running any more (its postmaster died); restarting it, {} attempt(s)"
        + " at most", server.dataDir(), maxAttempts);
    attemptRestart();
  }

  private void attemptRestart() {
    if (attempts >= maxAttempts) {
      giveUp();
      return;
    }
    attempts++;
    try {
      server.restart();
      state = State.RUNNING;
      LOG.info("Restarted the embedded PostgreSQL in {} on attempt {} of {}, {} ms after it was found dead",
          server.dataDir(), attempts, maxAttempts, millisSince(diedAt));
      listener.attempted(true);
    } catch (RuntimeException e) {
      listener.attempted(false);
      if (attempts >= maxAttempts) {
        LOG.error("Attempt {} of {} to restart the embedded PostgreSQL in {} failed", attempts, maxAttempts,
            server.dataDir(), e);
        giveUp();
        return;
      }
      Duration backoff = backoff(attempts);
      LOG.warn("Attempt {} of {} to restart the embedded PostgreSQL in {} failed; next attempt in {} ms", attempts,
          maxAttempts, server.dataDir(), backoff.toMillis(), e);
      thread.schedule(this::attemptRestart, backoff.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void giveUp() {
    state = State.FAILED;
    LOG.error("Gave up restarting the embedded PostgreSQL in {} after {} attempt(s) over {} ms: /health/live now"
        + " answers 503, so that the process supervisor restarts the gateway", server.dataDir(), attempts,
        millisSince(diedAt));
  }

  /** 1 s after the first failure, doubling, at most {@link #MAX_BACKOFF}. */
  static Duration backoff(int failedAttempts) {
    long millis = FIRST_BACKOFF.toMillis() << Math.min(failedAttempts - 1, 10);
    return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
  }

  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1_000_000;
  }
}
