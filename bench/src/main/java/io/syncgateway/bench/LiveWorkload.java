package io.syncgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * live: {@code --live-streams} idle event streams ({@code GET /api/sync/events}) of devices of
 * {@code --live-orgs} organizations on the gateway under test, while writers push through a second
 * gateway process on the same database. Reports the delay from a push's response to the event
 * reaching a stream of the same organization, and the heap and RSS each idle stream costs.
 */
final class LiveWorkload {
  private static final long SETTLE_MS = 3_000;
  private static final long EVENT_TIMEOUT_MS = 5_000;

  private final BenchEnvironment env;
  private final int streams;
  private final int orgs;
  private final int pushes;
  /** Per organization: the push waiting for its event, completed by the first stream that sees one. */
  private final Map<String, Promise<Long>> awaited = new ConcurrentHashMap<>();

  LiveWorkload(BenchEnvironment env) {
    this.env = env;
    this.streams = env.options.liveStreams();
    this.orgs = env.options.liveOrgs();
    this.pushes = env.options.livePushes();
  }

  JsonObject run() {
    env.log.printf("Live: %d idle streams in %d organizations, %d pushes through a second gateway%n", streams, orgs,
        pushes);
    env.startGateway(Map.of("SYNC_HTTP_MAX_CONNECTIONS_PER_ADDRESS", String.valueOf(streams + 512),
        "SYNC_HTTP_MAX_CONNECTIONS", String.valueOf(streams + 1024),
        "SYNC_LIVE_MAX_STREAMS", String.valueOf(streams + 100)));
    List<String> organizations = new ArrayList<>();
    for (int i = 0; i < orgs; i++) {
      organizations.add(env.org("live-" + i));
    }
    HttpClient client = env.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(streams + 16));
    try (GatewayProcess writers = env.startSecondGateway("writers")) {
      double heapBefore = env.gatewayHeapMib();
      double rssBefore = env.gatewayRssMib();
      List<Future<Void>> opened = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        String org = organizations.get(s % orgs);
        opened.add(openStream(client, SimDevice.one(org, "listener-" + s, env.tokens)));
      }
      awaitQuietly(Future.all(opened), 60_000);
      sleep(SETTLE_MS);
      double heapAfter = env.gatewayHeapMib();
      double rssAfter = env.gatewayRssMib();
      GatewayTarget writer = new GatewayTarget(env.vertx, writers.base(), 4);
      Measurement delays = new Measurement("live", "gateway");
      int missed = 0;
      for (int p = 0; p < pushes; p++) {
        String org = organizations.get(p % orgs);
        Long delayNanos = pushAndAwaitEvent(writer, SimDevice.one(org, "writer", env.tokens), p);
        if (delayNanos == null) {
          missed++;
        } else {
          delays.record(Future.succeededFuture(Outcome.of(1)), delayNanos);
        }
      }
      writer.close();
      JsonObject result = delays.toJson()
          .put("streams", streams).put("organizations", orgs).put("pushes", pushes).put("eventsMissed", missed)
          .put("heapPerIdleStreamKib", round((heapAfter - heapBefore) * 1024 / streams))
          .put("rssPerIdleStreamKib", round((rssAfter - rssBefore) * 1024 / streams));
      env.log.printf("  live: push response → event p50 %.1f ms, p99 %.1f ms, max %.1f ms; missed %d; "
              + "heap %.1f KiB and RSS %.1f KiB per idle stream%n", delays.latencyMillis(50),
          delays.latencyMillis(99), delays.maxLatencyMillis(), missed, result.getDouble("heapPerIdleStreamKib"),
          result.getDouble("rssPerIdleStreamKib"));
      return result;
    } finally {
      client.close().await();
    }
  }

  /** Opens one stream; every `event: changes` completes the push its organization is waiting for. */
  private Future<Void> openStream(HttpClient client, SimDevice device) {
    URI base = env.gateway().base();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(base.getHost())
        .setPort(base.getPort()).setURI("/api/sync/events?deviceId=" + device.deviceId())
        .putHeader("Authorization", "Bearer " + device.token());
    String org = device.principal().orgId();
    return client.request(request).compose(req -> req.send()).compose((HttpClientResponse response) -> {
      if (response.statusCode() != 200) {
        return Future.failedFuture("stream answered " + response.statusCode());
      }
      response.handler((Buffer chunk) -> {
        if (chunk.toString().contains("event: changes")) {
          Promise<Long> waiting = awaited.remove(org);
          if (waiting != null) {
            waiting.tryComplete(System.nanoTime());
          }
        }
      });
      return Future.<Void>succeededFuture();
    });
  }

  /** The delay from the push's response to its organization's first event, or null when none came. */
  private Long pushAndAwaitEvent(GatewayTarget writer, SimDevice device, int n) {
    Promise<Long> event = Promise.promise();
    awaited.put(device.principal().orgId(), event);
    JsonObject task = TaskPayloads.create(device.deviceId(), TaskPayloads.taskId(device.deviceId(), n), n);
    awaitQuietly(writer.push(device, writer.encode(device, TaskPayloads.body(device.deviceId(),
        device.deviceId() + "-l" + n, List.of(task)))), 10_000);
    long answered = System.nanoTime();
    Long arrived = awaitQuietly(event.future(), EVENT_TIMEOUT_MS);
    awaited.remove(device.principal().orgId());
    return arrived == null ? null : Math.max(0, arrived - answered);
  }

  /** The result, or null when it failed or did not come in time. */
  private static <T> T awaitQuietly(Future<T> future, long timeoutMs) {
    try {
      return future.await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception failedOrLate) {
      return null;
    }
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
