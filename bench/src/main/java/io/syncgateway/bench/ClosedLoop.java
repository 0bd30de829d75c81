package io.syncgateway.bench;

import io.vertx.core.Future;
import java.util.List;

/**
 * Closed-loop load: every device sends its next request as soon as the previous one is answered,
 * all devices at once. Latency is measured per request; failures are counted and the device goes on.
 */
final class ClosedLoop {
  private ClosedLoop() {}

  static Measurement run(String workload, String target, List<LoadDevice> devices) {
    Measurement measurement = new Measurement(workload, target);
    long start = System.nanoTime();
    Future.join(devices.stream().map(device -> drive(device, measurement)).toList()).await();
    measurement.finish(System.nanoTime() - start);
    return measurement;
  }

  private static Future<Void> drive(LoadDevice device, Measurement measurement) {
    if (!device.hasNext()) {
      return Future.succeededFuture();
    }
    long sent = System.nanoTime();
    Future<Outcome> answer;
    try {
      answer = device.sendNext();
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    return answer
        .transform(result -> {
          measurement.record(result, System.nanoTime() - sent);
          return Future.<Void>succeededFuture();
        })
        .compose(recorded -> drive(device, measurement));
  }
}
