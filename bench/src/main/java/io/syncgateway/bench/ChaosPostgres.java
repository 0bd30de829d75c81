package io.syncgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The embedded PostgreSQL of a gateway, seen from outside: its postmaster is the first line of
 * {@code <dataDir>/postmaster.pid}; the backends and helpers are its descendants (they are not a
 * process group of ours). Signals are sent with {@code kill}.
 */
final class ChaosPostgres {
  private final Path dataDir;

  /** @param dataDir the cluster's directory: the gateway's {@code SYNC_DATA_DIR}/postgres */
  ChaosPostgres(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** The live postmaster's pid, if the pid file names a live process. */
  OptionalLong postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? OptionalLong.of(pid)
          : OptionalLong.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** The postmaster and all its descendants, as they are now; empty if there is no live postmaster. */
  List<Long> processes() {
    List<Long> pids = new ArrayList<>();
    postmasterPid().ifPresent(pid -> {
      pids.add(pid);
      ProcessHandle.of(pid).ifPresent(postmaster -> postmaster.descendants().forEach(child -> pids.add(child.pid())));
    });
    return pids;
  }

  /**
   * Sends {@code signal} (STOP, CONT, KILL) to the processes with {@code kill}; waits at most 5 s.
   *
   * @return true if kill said it signalled them all
   */
  static boolean signal(String signal, Collection<Long> pids) {
    if (pids.isEmpty()) {
      return false;
    }
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(String.valueOf(pid)));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
