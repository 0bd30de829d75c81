package io.syncgateway.jmh;

import io.syncgateway.checksum.Checksums;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** JCS canonical form plus SHA-256 of a typical task (~600 bytes of JSON). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChecksumBenchmark {
  private final JsonObject task = Samples.task(1234);

  @Benchmark
  public String checksum() {
    return Checksums.of(task);
  }
}
