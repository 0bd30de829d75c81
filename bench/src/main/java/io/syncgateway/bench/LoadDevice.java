package io.syncgateway.bench;

import io.vertx.core.Future;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/** One simulated device of a closed-loop run: sends its next request when the previous one is answered. */
interface LoadDevice {
  /** False once the device has nothing more to send. */
  boolean hasNext();

  Future<Outcome> sendNext();

  /** A device that sends a fixed list of requests in order. */
  static LoadDevice of(List<Supplier<Future<Outcome>>> requests) {
    Iterator<Supplier<Future<Outcome>>> next = requests.iterator();
    return new LoadDevice() {
      @Override
      public boolean hasNext() {
        return next.hasNext();
      }

      @Override
      public Future<Outcome> sendNext() {
        return next.next().get();
      }
    };
  }
}
