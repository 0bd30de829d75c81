package io.syncgateway.jmh;

import io.syncgateway.clock.ClockRelation;
import io.syncgateway.clock.VectorClock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Compare and merge of two clocks with N entries each, concurrent in their last entry. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class VectorClockBenchmark {
  @Param({"2", "16", "256"})
  public int entries;

  private VectorClock left;
  private VectorClock right;

  @Setup
  public void clocks() {
    Map<String, Long> a = new LinkedHashMap<>();
    Map<String, Long> b = new LinkedHashMap<>();
    for (int i = 0; i < entries; i++) {
      a.put("device-" + i, 10L + i);
      b.put("device-" + i, 10L + i);
    }
    a.put("device-0", 11L);
    b.put("device-" + (entries - 1), 10L + entries);
    left = VectorClock.of(a);
    right = VectorClock.of(b);
  }

  @Benchmark
  public ClockRelation compare() {
    return left.relationTo(right);
  }

  @Benchmark
  public VectorClock merge() {
    return left.merge(right);
  }
}
