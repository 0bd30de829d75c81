package io.syncgateway.admission;

import io.vertx.core.Context;
import io.vertx.core.Promise;

/** One queued operation: whose it is, where it came from, how to start it, how to fail it. */
final class Waiter {
  final OrganizationQueue queue;
  final int priority;
  final long arrival;
  final Context context;
  final Runnable start;
  final Promise<?> result;
  long timerId = -1;

  Waiter(OrganizationQueue queue, int priority, long arrival, Context context, Runnable start, Promise<?> result) {
    this.queue = queue;
    this.priority = priority;
    this.arrival = arrival;
    this.context = context;
    this.start = start;
    this.result = result;
  }
}
