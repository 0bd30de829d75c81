package io.syncgateway.memory;

/**
 * What a pull page may hold in heap, reserved before it is read: the rows as the database client
 * decodes them and the page encoded into one buffer. A page stops early once its entities' data
 * passes {@code pull.pageBytes} (the statement cuts it: PullQuery), so it holds at most that much
 * data plus its last entity, whatever the limit.
 */
public final class PullPageMemory {
  /**
   * The largest entity a row can hold: a task's description (100,000 characters, up to 3 bytes each
   * as UTF-8), custom fields (64 KiB) and the other fields.
   */
  static final long MAX_ENTITY_BYTES = 512 * 1024;
  /** Metadata of a row (clock, times, ids, checksum) as decoded and as encoded. */
  static final long ROW_OVERHEAD_BYTES = 2 * 1024;
  /**
   * Heap per byte of page data: the decoded rows (about their text size for long strings) and the
   * encoded page (which may hold twice its size while its buffer grows). Measured: see
   * docs/operations.md, "Memory budget".
   */
  static final long HEAP_PER_PAGE_BYTE = 3;

  private PullPageMemory() {}

  /** The reservation of a page of at most {@code limit} entities and about {@code pageBytes} of data. */
  public static long estimate(int limit, long pageBytes) {
    long data = Math.min(limit * MAX_ENTITY_BYTES, pageBytes + MAX_ENTITY_BYTES);
    return (data + limit * ROW_OVERHEAD_BYTES) * HEAP_PER_PAGE_BYTE;
  }
}
