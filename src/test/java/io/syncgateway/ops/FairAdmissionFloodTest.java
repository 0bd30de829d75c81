package io.syncgateway.ops;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One organization bulk-imports with many concurrent pushes, all declaring priority 1, while another
 * sends single title edits (priority 2) one after another. The contract (PROTOCOL §7 v1.1) is that
 * the flood cannot make the quiet organization's pushes fail or wait more than a fair share. The docs
 * promise a p99 under 100 ms; this test runs on machines shared with other builds, so it bounds the
 * p99 generously and prints what it measured, with the same edits before the flood for comparison.
 * Before fair admission the edits waited behind every priority-1 push and were shed after 5 s.
 */
@DisplayName("Fair admission under a flood: one organization's bulk import does not starve another's edits")
class FairAdmissionFloodTest {
  private static final int FLOODERS = 32;
  private static final int FLOOD_BATCH_ITEMS = 100;
  private static final int BASELINE_EDITS = 10;
  private static final int QUIET_EDITS = 30;
  private static final long P99_BOUND_MS = 1_000;

  @Test
  @DisplayName("while 32 concurrent priority-1 pushes of 100 items flood one organization, every single title edit "
      + "of another is answered 200, none shed, with a bounded p99")
  void quietOrganizationIsNotStarved() throws Exception {
    try (GatewayHarness gateway = GatewayHarness.start("fair_flood")) {
      QuietEditor quiet = new QuietEditor(gateway);
      long[] baselineMs = quiet.edits(BASELINE_EDITS);
      Flood flood = new Flood(gateway);
      flood.start();
      OverloadSheddingTest.awaitMetric(gateway, "sync_admission_waiting{operation=\"read\"}", waiting -> waiting >= 10);

      long[] floodedMs = quiet.edits(QUIET_EDITS);
      int floodWaiting = floodWaiting(gateway);
      flood.stop();

      System.out.printf("quiet organization: p50 %d ms, p99 %d ms under the flood (p50 %d ms, p99 %d ms before it); "
              + "flood: %d pushes answered 200, %d not, %d waiting when the edits ended%n",
          percentile(floodedMs, 50), percentile(floodedMs, 99), percentile(baselineMs, 50),
          percentile(baselineMs, 99), flood.succeeded.get(), flood.failed.get(), floodWaiting);
      assertThat(floodWaiting).as("the flood was still queued when the quiet edits ended").isPositive();
      assertThat(flood.succeeded.get()).as("the flood made progress too").isPositive();
      assertThat(percentile(floodedMs, 99)).as("p99 of the quiet organization's edits (ms)").isLessThan(P99_BOUND_MS);
    }
  }

  private static long percentile(long[] latenciesMs, int percent) {
    long[] sorted = latenciesMs.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.ceil(sorted.length * percent / 100.0) - 1];
  }

  /** The flood's pushes waiting for a slot: to read the states they are decided on, or to commit. */
  private static int floodWaiting(GatewayHarness gateway) {
    Scrape scrape = Scrape.of(gateway);
    return (int) (scrape.valueOrZero("sync_admission_waiting{operation=\"read\"}")
        + scrape.valueOrZero("sync_admission_waiting{operation=\"push\"}"));
  }

  /** Closed-loop pushers of one organization: each sends its next batch as soon as the last is answered. */
  private static final class Flood {
    final GatewayHarness gateway;
    final String token;
    final AtomicBoolean stopping = new AtomicBoolean();
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final List<Future<Void>> pushers = new ArrayList<>();
    /**
     * Batches are built and compressed here, not on the client's event loops that the quiet
     * organization's answers arrive on too: the test measures the gateway, not its own client.
     */
    final ExecutorService builders = Executors.newFixedThreadPool(2);

    Flood(GatewayHarness gateway) {
      this.gateway = gateway;
      this.token = gateway.token("importer", uniqueId("org-bulk"));
    }

    void start() {
      for (int i = 0; i < FLOODERS; i++) {
        Promise<Void> done = Promise.promise();
        pushers.add(done.future());
        pushNext(uniqueId("bulk-dev"), done);
      }
    }

    private void pushNext(String device, Promise<Void> done) {
      if (stopping.get()) {
        done.complete();
        return;
      }
      builders.execute(() -> gateway.pushAsync(token, bulkBatch(device)).onComplete(answer -> {
        (answer.succeeded() && answer.result().statusCode() == 200 ? succeeded : failed).incrementAndGet();
        pushNext(device, done);
      }));
    }

    /** New tasks, every item declaring priority 1: the most urgent a client can claim. */
    private static JsonObject bulkBatch(String device) {
      JsonArray tasks = new JsonArray();
      for (int i = 0; i < FLOOD_BATCH_ITEMS; i++) {
        tasks.add(task(uniqueId("bulk"), clock(device, 1), "Imported task " + i).put("priority", 1));
      }
      return new JsonObject().put("deviceId", device).put("changes", new JsonObject().put("tasks", tasks))
          .put("timestamp", System.currentTimeMillis());
    }

    void stop() throws Exception {
      stopping.set(true);
      Future.all(pushers).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      builders.shutdown();
    }
  }

  /** One user of another organization editing the title of one task, one edit after another. */
  private static final class QuietEditor {
    final GatewayHarness gateway;
    final String token;
    final String device = uniqueId("dev");
    final String taskId = uniqueId("task");
    int counter = 1;

    QuietEditor(GatewayHarness gateway) {
      this.gateway = gateway;
      this.token = gateway.token("editor", uniqueId("org-quiet"));
      gateway.pushOk(token, batch(device, "task", task(taskId, clock(device, counter), "Draft")));
    }

    /** Edits the title {@code count} times, each edit after the last is answered; every one must be a 200. */
    long[] edits(int count) {
      long[] latenciesMs = new long[count];
      for (int edit = 0; edit < count; edit++) {
        counter++;
        long started = System.nanoTime();
        HttpResponse<Buffer> response =
            gateway.push(token, batch(device, "task", task(taskId, clock(device, counter), "Title " + counter)));
        latenciesMs[edit] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(response.statusCode()).as("title edit %d, after %d ms: %s", counter, latenciesMs[edit],
            response.bodyAsString()).isEqualTo(200);
      }
      return latenciesMs;
    }
  }
}
