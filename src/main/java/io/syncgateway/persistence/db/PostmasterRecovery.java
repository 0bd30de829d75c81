package io.syncgateway.persistence.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Clears what a killed gateway leaves in a data directory, so the embedded server can start again.
 *
 * <p>zonky starts PostgreSQL with {@code pg_ctl start}, which daemonizes the postmaster in its own session.
 * When the gateway JVM dies without closing the server (SIGKILL, OOM killer), nothing stops it: the postmaster
 * and its helper processes keep running as orphans (parent pid 1), still own {@code postmaster.pid}, and a new
 * postmaster refuses the directory ("lock file postmaster.pid already exists"). If the postmaster died as well,
 * the pid file is stale; PostgreSQL copes with that itself unless the pid has since been reused by another
 * process, in which case it refuses to start too.
 *
 * <p>Callers must first make sure no live process owns the directory (see {@link EmbeddedPostgresServer}):
 * this class stops whatever postgres runs there.
 */
final class PostmasterRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(PostmasterRecovery.class);

  /** Fast shutdown aborts sessions and writes a checkpoint; on a small database it takes well under a second. */
  static final Duration FAST_SHUTDOWN_WAIT = Duration.ofSeconds(10);
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 50;

  private PostmasterRecovery() {
  }

  /** Stops a leftover postmaster serving {@code dataDir}, or removes a stale {@code postmaster.pid}. */
  static void recover(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    OptionalLong pid = readPid(pidFile);
    if (pid.isPresent() && isPostmasterOf(pid.getAsLong(), dataDir)) {
      stop(pid.getAsLong(), dataDir);
      // A fast shutdown removes the file; a SIGKILLed postmaster leaves it behind.
      Files.deleteIfExists(pidFile);
    } else {
      LOG.warn("Removing stale {}: pid {} is not a running postgres for this data directory",
          pidFile, pid.isPresent() ? pid.getAsLong() : "(unreadable)");
      stopLingering(orphanedHelpers(dataDir));
      Files.deleteIfExists(pidFile);
    }
  }

  /**
   * Helper processes of a postmaster that died (SIGKILL, OOM killer): they still hold its shared memory, and a new
   * postmaster refuses to start until they are gone. They run postgres from the data directory, like the postmaster.
   */
  private static List<ProcessHandle> orphanedHelpers(Path dataDir) {
    try (Stream<ProcessHandle> processes = ProcessHandle.allProcesses()) {
      return processes.filter(process -> process.pid() != ProcessHandle.current().pid())
          .filter(process -> {
            try {
              return isPostmasterOf(process.pid(), dataDir);
            } catch (IOException | RuntimeException e) {
              return false; // gone meanwhile, or not ours to inspect
            }
          })
          .toList();
    }
  }

  private static OptionalLong readPid(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile);
    try {
      return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * True if {@code pid} is a live postgres whose working directory is {@code dataDir} (the postmaster chdirs there,
   * and its helper processes inherit it).
   */
  static boolean isPostmasterOf(long pid, Path dataDir) throws IOException {
    ProcessHandle process = ProcessHandle.of(pid).orElse(null);
    if (process == null || !isRunning(pid)) {
      return false;
    }
    String command = process.info().command().orElse("");
    if (!command.endsWith("/postgres")) {
      return false;
    }
    Path realDataDir = dataDir.toRealPath();
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")).equals(realDataDir);
    } catch (IOException | UnsupportedOperationException e) {
      // No /proc access: fall back to the "-D <dir>" that pg_ctl passed on the command line.
      return process.info().arguments()
          .map(args -> Arrays.asList(args).contains(realDataDir.toString())
              || Arrays.asList(args).contains(dataDir.toAbsolutePath().toString()))
          .orElse(false);
    }
  }

  private static void stop(long pid, Path dataDir) throws IOException {
    long startedAt = System.nanoTime();
    ProcessHandle postmaster = ProcessHandle.of(pid).orElse(null);
    if (postmaster == null) {
      return;
    }
    // The helpers (checkpointer, walwriter, ...) hold the old shared memory; a new postmaster refuses to start
    // until they are gone too.
    List<ProcessHandle> helpers = postmaster.children().toList();
    LOG.warn("PostgreSQL (pid {}) is still running on {}, left behind by a gateway that did not shut down cleanly;"
        + " stopping it with a fast shutdown (SIGINT)", pid, dataDir);
    sendSigint(pid);
    if (!awaitExit(pid, FAST_SHUTDOWN_WAIT)) {
      LOG.warn("PostgreSQL (pid {}) did not stop within {} s; killing it (SIGKILL). The next start will run crash"
          + " recovery from the WAL, which loses no committed data", pid, FAST_SHUTDOWN_WAIT.toSeconds());
      postmaster.destroyForcibly();
      if (!awaitExit(pid, KILL_WAIT)) {
        throw new IllegalStateException("Could not stop leftover PostgreSQL process " + pid + " on " + dataDir);
      }
    }
    stopLingering(helpers);
    LOG.info("Stopped leftover PostgreSQL (pid {}) in {} ms", pid, (System.nanoTime() - startedAt) / 1_000_000);
  }

  private static void stopLingering(List<ProcessHandle> helpers) throws IOException {
    for (ProcessHandle helper : helpers) {
      // They notice the postmaster's death by themselves; SIGKILL only the ones that linger.
      if (!awaitExit(helper.pid(), KILL_WAIT)) {
        LOG.warn("Killing lingering PostgreSQL helper process {}", helper.pid());
        helper.destroyForcibly();
        awaitExit(helper.pid(), KILL_WAIT);
      }
    }
  }

  /** Java can send only SIGTERM (smart shutdown: waits for clients) and SIGKILL, so use kill(1) for SIGINT. */
  private static void sendSigint(long pid) throws IOException {
    try {
      Process kill = new ProcessBuilder("kill", "-s", "INT", Long.toString(pid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (kill.waitFor() != 0 && isRunning(pid)) {
        LOG.warn("kill -s INT {} failed with exit code {}", pid, kill.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while signalling PostgreSQL process " + pid, e);
    }
  }

  private static boolean awaitExit(long pid, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isRunning(pid)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while waiting for PostgreSQL process " + pid + " to exit", e);
      }
    }
    return true;
  }

  /** Like {@link ProcessHandle#isAlive()}, but a zombie (exited, not yet reaped by its parent) counts as gone. */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException | RuntimeException e) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
  }
}
