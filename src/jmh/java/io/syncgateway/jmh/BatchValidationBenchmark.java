package io.syncgateway.jmh;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.decode.StrictJsonParser;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A push of 100 tasks: strict JSON parsing of the decoded body, then validation of every item. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BatchValidationBenchmark {
  private final Principal principal = new Principal("user-1", "org-1", Role.MEMBER);
  private final BatchPreparer preparer = new BatchPreparer(500);
  private final StrictJsonParser parser = new StrictJsonParser(32);
  private final JsonObject body = Samples.batch(100);
  private final byte[] bytes = body.toBuffer().getBytes();

  @Benchmark
  public PreparedBatch validate() {
    return preparer.prepare(principal, null, body);
  }

  @Benchmark
  public JsonObject parse() {
    return parser.parseObject(bytes);
  }
}
