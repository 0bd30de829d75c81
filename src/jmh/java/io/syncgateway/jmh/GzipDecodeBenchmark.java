package io.syncgateway.jmh;

import io.syncgateway.wire.Gzip;
import io.syncgateway.decode.PayloadDecoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The gateway's gzip decoding of a push of 100 tasks, on one thread. The {@code decodedBytes}
 * counter reports decoded bytes per second: divide by 1e6 for MB/s per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GzipDecodeBenchmark {
  private final PayloadDecoder decoder = new PayloadDecoder(16 * 1024 * 1024);
  private final byte[] gzipped = Gzip.gzip(Samples.batch(100).toBuffer().getBytes());

  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Decoded {
    public long decodedBytes;

    @Setup(Level.Iteration)
    public void reset() {
      decodedBytes = 0;
    }
  }

  @Benchmark
  public byte[] gunzip(Decoded decoded) {
    byte[] body = decoder.decode(gzipped, "gzip");
    decoded.decodedBytes += body.length;
    return body;
  }
}
