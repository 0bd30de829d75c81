package io.syncgateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.Encodings;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PROTOCOL §7 (v1.1): requests within the limits of §3 never exhaust the gateway's memory, whatever
 * their number. A gateway with a 256 MiB heap (in a child JVM, so an OutOfMemoryError cannot hurt the
 * test's own JVM) takes 16 concurrent pushes of the largest body (about 16 MiB decoded, under 4 MiB
 * gzipped) and 16 concurrent pulls of 1000 large entities at once.
 */
@DisplayName("Memory: the largest requests, many at once, never exhaust a 256 MiB heap")
class MemoryUnderLoadTest {
  private static final int PUSHES = 16;
  private static final int PULLS = 16;
  private static final int ITEMS = 500;
  /** 500 descriptions of this size decode to about 15.6 MB, just under the 16 MiB limit. */
  private static final int DESCRIPTION_CHARS = 31_000;
  private static final int SEEDED_BATCHES = 2;
  private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
  private static final int MAX_DECODED_BYTES = 16 * 1024 * 1024;
  /** Enough of an answer's body to read a problem's code; pages are counted, not kept. */
  private static final int KEPT_BODY_BYTES = 4096;
  private static final String[] SENTENCES = {
      "Reviewed the checkout flow with the design team and agreed on the new error states. ",
      "The customer reported that the export stalls when the report spans more than one year. ",
      "Follow up with finance about the invoice numbering before the end of the quarter. ",
      "QA found a regression in the offline mode: edits made on the train were lost after sync. ",
      "Draft the release notes and ask support to review the known issues section. ",
      "Pair with the mobile team to reproduce the crash on older Android devices. ",
      "The load test showed latency spikes every few minutes, probably garbage collection. ",
      "Move the meeting with the vendor to Thursday and prepare the list of open questions. ",
      "Update the onboarding checklist so new hires get database access on their first day. ",
      "Acceptance criteria: the user sees a confirmation, the audit log records the change. ",
      "Blocked until the legal review of the data retention policy is finished. ",
      "Split the migration into smaller steps so that each one can be rolled back safely. ",
  };

  /** What came back for one request: its status, Retry-After and the start of its body. */
  private record Answer(String what, int status, String retryAfter, String body) {
    boolean isOverloaded() {
      return status == 503 && body.contains("\"overloaded\"") && retryAfter != null;
    }
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  @DisplayName("16 maximum pushes and 16 pulls of 1000 large entities at once: each answered 200 or 503 "
      + "overloaded with Retry-After, no OutOfMemoryError, and the gateway is ready afterwards")
  void largestRequestsAtOnceAreAnsweredWithoutRunningOutOfMemory() {
    Map<String, String> env = Map.of(
        "SYNC_PG_URL", TestDatabase.freshDatabase("memory_load").connectionString(),
        "SYNC_DECODE_INSTANCES", "2");
    String org = "org-memory";
    Vertx vertx = Vertx.vertx();
    try (ChildGateway gateway = ChildGateway.start("gateway", env, List.of("-Xmx256m"))) {
      HttpClient http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(PUSHES + PULLS + 4));
      GatewayHarness client = gateway.client();
      int port = gateway.port();
      String token = client.token("user-memory", org);
      Random random = new Random(42);

      for (int batch = 0; batch < SEEDED_BATCHES; batch++) {
        Answer seeded = await(push(http, port, token, maximumPush("seeder", "seed-" + batch, random)));
        assertThat(seeded.status()).as("seeding push %s answered %s", batch, seeded).isEqualTo(200);
      }

      List<Future<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < PUSHES; i++) {
        answers.add(push(http, port, token, maximumPush("pusher-" + i, "storm-" + i, random)));
      }
      for (int i = 0; i < PULLS; i++) {
        answers.add(send(http, port, HttpMethod.GET, "/api/sync/pull?limit=1000&since=0", token,
            MultiMap.caseInsensitiveMultiMap(), null, "pull " + i));
      }
      List<Answer> answered = answers.stream().map(MemoryUnderLoadTest::await).toList();

      System.out.println("Answers: " + answered.stream()
          .collect(Collectors.groupingBy(answer -> answer.what().split(" ")[0] + " " + answer.status(),
              Collectors.counting())));
      for (Answer answer : answered) {
        assertThat(answer.status() == 200 || answer.isOverloaded())
            .as("%s: 200, or 503 overloaded with Retry-After; got %s", answer.what(), answer).isTrue();
      }
      assertThat(outOfMemoryLines(gateway)).as("OutOfMemoryError in the gateway's output").isEmpty();
      Answer ready = await(send(http, port, HttpMethod.GET, "/health/ready", null,
          MultiMap.caseInsensitiveMultiMap(), null, "ready"));
      assertThat(ready.status()).as("readiness afterwards: %s", ready).isEqualTo(200);
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A push of 500 new tasks whose descriptions are realistic prose: about 15.6 MB as JSON, gzipped
   * under the 4 MiB body limit. Built as text and gzipped at once, so the test holds only the gzip.
   */
  private static byte[] maximumPush(String deviceId, String idPrefix, Random random) {
    StringBuilder json = new StringBuilder(ITEMS * (DESCRIPTION_CHARS + 256));
    json.append("{\"deviceId\":\"").append(deviceId).append("\",\"changes\":{\"task\":[");
    for (int i = 0; i < ITEMS; i++) {
      json.append(i == 0 ? "" : ",").append("{\"id\":\"").append(idPrefix).append('-').append(i)
          .append("\",\"operation\":\"create\",\"vectorClock\":{\"").append(deviceId).append("\":1},")
          .append("\"title\":\"Task ").append(i).append(" of ").append(idPrefix).append("\",\"description\":\"");
      int end = json.length() + DESCRIPTION_CHARS;
      while (json.length() < end) {
        json.append(SENTENCES[random.nextInt(SENTENCES.length)]);
      }
      json.setLength(end);
      json.append("\"}");
    }
    json.append("]}}");
    byte[] decoded = json.toString().getBytes(StandardCharsets.UTF_8);
    assertThat(decoded.length).as("decoded push size").isBetween(MAX_DECODED_BYTES - 1_500_000, MAX_DECODED_BYTES);
    byte[] gzipped = Encodings.gzip(decoded);
    assertThat(gzipped.length).as("gzipped push size").isLessThanOrEqualTo(MAX_BODY_BYTES);
    return gzipped;
  }

  private static Future<Answer> push(HttpClient http, int port, String token, byte[] gzipped) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json").add("Content-Encoding", "gzip");
    return send(http, port, HttpMethod.POST, "/api/sync/push", token, headers, Buffer.buffer(gzipped), "push");
  }

  /** Sends a request and keeps only the start of the answer's body (a page of 1000 entities is not kept). */
  private static Future<Answer> send(HttpClient http, int port, HttpMethod method, String uri, String token,
      MultiMap headers, Buffer body, String what) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setHeaders(headers).setIdleTimeout(Duration.ofSeconds(90).toMillis());
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    return http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> keepStart(response, what));
  }

  private static Future<Answer> keepStart(HttpClientResponse response, String what) {
    Buffer kept = Buffer.buffer();
    response.handler(chunk -> {
      if (kept.length() < KEPT_BODY_BYTES) {
        kept.appendBuffer(chunk, 0, Math.min(chunk.length(), KEPT_BODY_BYTES - kept.length()));
      }
    });
    return response.end().map(done -> new Answer(what, response.statusCode(), response.getHeader("Retry-After"),
        kept.toString(StandardCharsets.UTF_8)));
  }

  private static Answer await(Future<Answer> answer) {
    return answer.toCompletionStage().toCompletableFuture().orTimeout(90, TimeUnit.SECONDS).join();
  }

  private static List<String> outOfMemoryLines(ChildGateway gateway) {
    List<String> lines = new ArrayList<>(gateway.jvm().output());
    lines.addAll(gateway.jvm().errors());
    return lines.stream().filter(line -> line.contains("OutOfMemoryError")).toList();
  }
}
