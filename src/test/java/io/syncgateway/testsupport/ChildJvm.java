package io.syncgateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A second JVM on the test classpath, for what one JVM cannot show about itself: being killed with
 * SIGKILL, stopped with SIGTERM, or logging through the production logback configuration. Its
 * standard output and error go to files, echoed with a prefix when it is closed: a pipe would be
 * closed by {@link Process#destroy()} and lose what the child writes while shutting down.
 */
public final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path outputFile;
  private final Path errorFile;

  private ChildJvm(String name, Process process, Path outputFile, Path errorFile) {
    this.name = name;
    this.process = process;
    this.outputFile = outputFile;
    this.errorFile = errorFile;
  }

  /** Starts {@code mainClass} with {@code args}, the given JVM options and extra environment variables. */
  public static ChildJvm start(String name, List<String> jvmOptions, Map<String, String> env, String mainClass,
      String... args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("-Xmx256m");
    // Quick start-up over peak speed: these JVMs live for seconds on a shared, loaded machine.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    try {
      Path outputFile = Files.createTempFile("child-jvm-", ".out");
      Path errorFile = Files.createTempFile("child-jvm-", ".err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(outputFile.toFile()).redirectError(errorFile.toFile());
      builder.environment().putAll(env);
      return new ChildJvm(name, builder.start(), outputFile, errorFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start child JVM " + name, e);
    }
  }

  public Process process() {
    return process;
  }

  /** Every line written to standard output so far. */
  public List<String> output() {
    return lines(outputFile);
  }

  /** Every line written to standard error so far. */
  public List<String> errors() {
    return lines(errorFile);
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first line (already written or still to come) that matches; fails if the child exits first. */
  public String awaitLine(Predicate<String> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean exited = !process.isAlive();
      List<String> written = output();
      for (String line : written) {
        if (match.test(line)) {
          return line;
        }
      }
      if (exited || System.nanoTime() > deadline) {
        throw new AssertionError(name + (exited ? " exited (" + process.exitValue() + ")" : " timed out")
            + " before writing the expected line; its output:\n" + String.join("\n", written)
            + "\nits standard error:\n" + String.join("\n", lines(errorFile)));
      }
      sleep(20);
    }
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM: the JVM runs its shutdown hooks. */
  public void terminate() {
    process.destroy();
  }

  /** The exit code; fails if the child has not exited within {@code timeout}. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " did not exit within " + timeout);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Kills the child if it still runs, echoes its output and deletes the files. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    output().forEach(line -> System.out.println("[" + name + "] " + line));
    lines(errorFile).forEach(line -> System.out.println("[" + name + " stderr] " + line));
    try {
      Files.deleteIfExists(outputFile);
      Files.deleteIfExists(errorFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
