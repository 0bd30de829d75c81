package io.syncgateway.http;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Logs with SYNC_LOG_FORMAT=json")
class JsonRequestLogTest {

  @Test
  @DisplayName("every line on standard output is one JSON object; each request has one line with its id, user, "
      + "device, status, outcome counts and duration")
  void jsonLines() {
    String device = uniqueId("dev");
    List<String> output;
    String pushId;
    String pullId;
    String refusedId;
    try (ChildGateway child = ChildGateway.start("gateway", Map.of(
        "SYNC_PG_URL", TestDatabase.freshDatabase("json_logs").connectionString(), "SYNC_LOG_FORMAT", "json"))) {
      GatewayHarness client = child.client();
      String token = client.token("alice", uniqueId("org"));
      HttpResponse<Buffer> push = client.push(token, batch(device,
          "task", task("kept", clock(device, 1), "Kept"),
          "task", new JsonObject().put("id", "untitled").put("vectorClock", clock(device, 1))));
      assertThat(push.statusCode()).isEqualTo(200);
      pushId = push.getHeader(RequestLog.REQUEST_ID_HEADER);
      pullId = client.get(token, "/api/sync/pull?since=0").getHeader(RequestLog.REQUEST_ID_HEADER);
      refusedId = client.get(null, "/api/sync/pull?since=0").getHeader(RequestLog.REQUEST_ID_HEADER);

      child.jvm().terminate();
      child.jvm().awaitExit(Duration.ofSeconds(30));
      output = child.jvm().output();
    }

    List<JsonObject> events = new ArrayList<>();
    for (String line : output) {
      events.add(new JsonObject(line)); // throws on anything but one JSON object
    }
    assertThat(events).anyMatch(event -> event.getString("message").contains(ChildGateway.READY_LINE));
    assertThat(fields(requestLine(events, pushId)))
        .containsEntry("method", "POST").containsEntry("path", "/api/sync/push").containsEntry("status", "200")
        .containsEntry("user", "alice").containsEntry("device", device)
        .containsEntry("applied", "1").containsEntry("acknowledged", "0").containsEntry("conflicts", "0")
        .containsEntry("superseded", "0").containsEntry("rejected", "1").containsEntry("replayed", "false")
        .containsKey("durationMs");
    assertThat(fields(requestLine(events, pullId)))
        .containsEntry("status", "200").containsEntry("user", "alice").containsEntry("items", "1")
        .containsEntry("hasMore", "false").containsKey("durationMs");
    assertThat(fields(requestLine(events, refusedId)))
        .containsEntry("status", "401").containsEntry("code", "unauthorized").doesNotContainKey("user");
  }

  private static JsonObject requestLine(List<JsonObject> events, String requestId) {
    List<JsonObject> lines = events.stream()
        .filter(event -> "sync.requests".equals(event.getString("loggerName")))
        .filter(event -> requestId.equals(fields(event).get("requestId")))
        .toList();
    assertThat(lines).as("request log lines of %s", requestId).hasSize(1);
    return lines.get(0);
  }

  /** The event's key-value pairs: logback's JsonEncoder writes them as a list of one-entry objects. */
  private static Map<String, Object> fields(JsonObject event) {
    JsonObject merged = new JsonObject();
    event.getJsonArray("kvpList").forEach(pair -> merged.mergeIn((JsonObject) pair));
    return merged.getMap();
  }
}
