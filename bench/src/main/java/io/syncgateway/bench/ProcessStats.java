package io.syncgateway.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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
    return ticks(statFields(), 11, 12) / TICKS_PER_SECOND;
  }

  /** {@link #cpuSeconds()} plus the CPU seconds of children that ended and were waited for. */
  double cpuSecondsWithEndedChildren() {
    return ticks(statFields(), 11, 12, 13, 14) / TICKS_PER_SECOND;
  }

  /** utime, stime, cutime, cstime are fields 11 to 14 counted from the state; all zero if unreadable. */
  private static long ticks(String[] fields, int... indexes) {
    long sum = 0;
    for (int index : indexes) {
      sum += fields.length == 0 ? 0 : Long.parseLong(fields[index]);
    }
    return sum;
  }

  /** The command name (at most 15 characters, as the kernel keeps it); empty if the process is gone. */
  String command() {
    String stat = read("stat");
    return stat.isEmpty() ? "" : stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  }

  /** The parent's pid, 0 if the process is gone. */
  long parentPid() {
    String[] fields = statFields();
    return fields.length == 0 ? 0 : Long.parseLong(fields[1]);
  }

  /** The processes whose parent is this one, as they are now. */
  List<ProcessStats> children() {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries.map(entry -> entry.getFileName().toString())
          .filter(name -> name.chars().allMatch(Character::isDigit))
          .map(name -> new ProcessStats(Long.parseLong(name)))
          .filter(process -> process.parentPid() == pid)
          .toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  /** The fields of /proc/PID/stat from field 3 (state) on; empty if unreadable. */
  private String[] statFields() {
    String stat = read("stat");
    // The command name may contain spaces, hence the last ')'.
    return stat.isEmpty() ? new String[0] : stat.substring(stat.lastIndexOf(')') + 2).split(" ");
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
