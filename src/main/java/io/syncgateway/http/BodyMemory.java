package io.syncgateway.http;

import io.syncgateway.memory.MemoryBudget;
import io.syncgateway.memory.Reservation;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Reserves memory for a push body before it is read: BodyHandler holds a body whole, and many
 * concurrent uploads of the largest body would otherwise fill the heap. The reservation is released
 * when the exchange ends (answered or connection closed); until then the raw body stays referenced.
 * Over the budget, after a bounded wait: 503 overloaded, and the connection is closed rather than
 * the unread body drained.
 */
final class BodyMemory implements Handler<RoutingContext> {
  /** Vert.x grows a body's buffer by doubling: while it is received it may hold twice its size. */
  private static final long BUFFER_GROWTH = 2;

  private final MemoryBudget budget;
  private final long maxBodyBytes;

  BodyMemory(MemoryBudget budget, long maxBodyBytes) {
    this.budget = budget;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext rc) {
    long length = declaredLength(rc);
    if (length > maxBodyBytes) {
      rc.next(); // BodyHandler answers 413 without reading it
      return;
    }
    // The body must not flow before there is room for it; BodyHandler resumes the request.
    rc.request().pause();
    budget.reserve(BUFFER_GROWTH * length, "push-body").onComplete(result -> {
      if (result.failed()) {
        rc.response().putHeader("Connection", "close");
        rc.fail(result.cause());
        return;
      }
      Reservation reservation = result.result();
      rc.addEndHandler(ended -> reservation.release());
      rc.next();
    });
  }

  /** Content-Length when declared, else the limit (BodyHandler stops reading there). */
  private long declaredLength(RoutingContext rc) {
    String header = rc.request().getHeader("Content-Length");
    try {
      return header == null ? maxBodyBytes : Math.max(0, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return maxBodyBytes;
    }
  }
}
