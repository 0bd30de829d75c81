package io.syncgateway.persistence;

import io.vertx.core.buffer.Buffer;

/**
 * One pull page: the pull response of the wire contract already encoded as JSON (the edge sends it
 * as it is), and what logs and metrics need to know about it without parsing it again.
 */
public record PullPage(Buffer json, int tasks, int comments, int attachments, int tombstones, boolean hasMore,
    String cursor) {

  /** Entities and tombstones on the page. */
  public int items() {
    return tasks + comments + attachments + tombstones;
  }
}
