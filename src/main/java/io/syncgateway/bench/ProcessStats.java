package io.syncgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a process, read from Linux's /proc (absent elsewhere: zeros). */
final class ProcessStats {
  /** USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every mainstream Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final long pid;

  ProcessStats(long pid) {
    this.pid = pid;
  }

  static ProcessStats self() {
    return new ProcessStats(ProcessHandle.current().pid());
  }

  long pid() {
    return pid;
  }

  /** User plus system CPU seconds used so far. */
  double cpuSeconds() {
    String stat = read("stat");
    if (stat.isEmpty()) {
      return 0;
    }
    // Fields after the command name (which may contain spaces, hence the last ')'): state is field 3.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
  }

  /** Peak resident set size so far (VmHWM), in MiB. */
  double rssPeakMib() {
    return statusKib("VmHWM:") / 1024.0;
  }

  double rssMib() {
    return statusKib("VmRSS:") / 1024.0;
  }

  private long statusKib(String field) {
    for (String line : read("status").split("\n")) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }

  private String read(String file) {
    try {
      return Files.readString(Path.of("/proc", String.valueOf(pid), file));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
