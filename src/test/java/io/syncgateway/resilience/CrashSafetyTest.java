package io.syncgateway.resilience;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Crash safety: a gateway killed with SIGKILL mid-stream")
class CrashSafetyTest {
  private static final int CLIENTS = 4;
  private static final int ACKED_BEFORE_KILL = 24;

  @Test
  @DisplayName("every batch acknowledged before the kill is present exactly once after a restart, and the retry "
      + "of each batch in flight is applied once or replayed")
  void acknowledgedBatchesSurviveSigkill() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("crash_safety");
    Map<String, String> env = Map.of("SYNC_PG_URL", database.connectionString());
    String org = uniqueId("org");
    AtomicInteger acknowledged = new AtomicInteger();
    List<Device> devices = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      devices.add(new Device(org));
    }

    try (ChildGateway first = ChildGateway.start("gateway-1", env)) {
      ExecutorService pushers = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<?>> streams = devices.stream()
            .map(device -> pushers.submit(() -> device.pushUntilFailure(first.client(), acknowledged)))
            .collect(Collectors.toList());
        awaitAtLeast(acknowledged, ACKED_BEFORE_KILL);

        first.jvm().kill();

        for (Future<?> stream : streams) {
          stream.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pushers.shutdownNow();
      }
    }

    try (ChildGateway second = ChildGateway.start("gateway-2", env)) {
      GatewayHarness client = second.client();
      for (Device device : devices) {
        device.retryUnanswered(client);
      }
      Device replayed = devices.get(0);
      JsonObject firstAnswer = replayed.answers.get(0);
      assertThat(client.pushOk(replayed.token(client), replayed.batches.get(0)))
          .as("an acknowledged batch sent again is answered from its record").isEqualTo(firstAnswer);

      Map<String, JsonObject> tasks = pulledTasksById(client, replayed.token(client));
      for (Device device : devices) {
        for (String taskId : device.createdTaskIds()) {
          assertThat(tasks).containsKey(taskId);
          assertThat(tasks.get(taskId).getLong("version")).as("version of %s", taskId).isEqualTo(1);
        }
        assertThat(tasks.get(device.counterId()).getLong("version"))
            .as("the counter task is written once by every batch of %s", device.id)
            .isEqualTo(device.batches.size());
      }
      int expected = devices.stream().mapToInt(device -> device.createdTaskIds().size() + 1).sum();
      assertThat(tasks).hasSize(expected);
    }
  }

  /** One client: a stream of batches, each creating two tasks and updating the device's counter task. */
  private static final class Device {
    final String org;
    final String id = uniqueId("dev");
    final List<JsonObject> batches = new ArrayList<>();
    final List<JsonObject> answers = new ArrayList<>();

    Device(String org) {
      this.org = org;
    }

    String token(GatewayHarness client) {
      return client.token("user-" + id, org);
    }

    String counterId() {
      return id + "-counter";
    }

    List<String> createdTaskIds() {
      List<String> ids = new ArrayList<>();
      for (int k = 0; k < batches.size(); k++) {
        ids.add(id + "-" + k + "-a");
        ids.add(id + "-" + k + "-b");
      }
      return ids;
    }

    JsonObject nextBatch() {
      int k = batches.size();
      JsonObject body = batch(id,
          "task", task(counterId(), clock(id, k + 1), "Counter at batch " + k),
          "task", task(id + "-" + k + "-a", clock(id, k + 1), "Task a of batch " + k),
          "task", task(id + "-" + k + "-b", clock(id, k + 1), "Task b of batch " + k))
          .put("batchId", id + "-batch-" + k);
      batches.add(body);
      return body;
    }

    /** Pushes batches one after another until one is not answered 200 (the gateway died). */
    void pushUntilFailure(GatewayHarness client, AtomicInteger acknowledged) {
      String token = token(client);
      while (true) {
        JsonObject body = nextBatch();
        HttpResponse<Buffer> response;
        try {
          response = client.push(token, body);
        } catch (Exception connectionLost) { // await() rethrows the socket error as it is
          return;
        }
        if (response.statusCode() != 200) {
          return;
        }
        answers.add(response.bodyAsJsonObject());
        acknowledged.incrementAndGet();
      }
    }

    /** The batch whose answer was lost (if any) is sent again with the same batchId. */
    void retryUnanswered(GatewayHarness client) {
      if (answers.size() < batches.size()) {
        JsonObject answer = client.pushOk(token(client), batches.get(batches.size() - 1));
        assertThat(answer.getInteger("processed")).isEqualTo(3);
        answers.add(answer);
      }
    }
  }

  private static Map<String, JsonObject> pulledTasksById(GatewayHarness client, String token) {
    JsonArray tasks = client.pullAll(token, null, 50).getJsonArray("tasks");
    Map<String, JsonObject> byId = new HashMap<>();
    for (Object item : tasks) {
      JsonObject task = (JsonObject) item;
      assertThat(byId.put(task.getString("id"), task)).as("%s appears once in the feed", task.getString("id"))
          .isNull();
    }
    return byId;
  }

  private static void awaitAtLeast(AtomicInteger counter, int target) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (counter.get() < target) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + counter.get() + " batches acknowledged in 60 s");
      }
      Thread.sleep(10);
    }
  }
}
