package io.syncgateway.memory;

/**
 * Upper estimates of what a parsed JSON tree ({@code JsonObject} over a LinkedHashMap,
 * {@code JsonArray} over an ArrayList, boxed numbers, compact strings) holds on a 64-bit JVM with
 * compressed references. Deliberately generous: a body of many small values takes several times its
 * size in heap ({@code [{},{},…]} about 26 times), which is why the tree is counted as it is built.
 * Measured against the heap a parsed tree really retained (docs/operations.md, "Memory budget"):
 * the estimate was 1.0–1.5 times the real size for prose, non-Latin text, many small keys, numbers
 * and short strings, 1.3 times for empty objects.
 */
public final class JsonHeapCost {
  /** JsonObject + LinkedHashMap (its table is counted by the entries). */
  public static final int OBJECT = 96;
  /** A LinkedHashMap entry and its share of the table (kept at most three-quarters full, doubled when it grows). */
  public static final int ENTRY = 56;
  /** JsonArray + ArrayList + its first backing array. */
  public static final int ARRAY = 80;
  /** A slot of the ArrayList's backing array, grown by half. */
  public static final int ELEMENT = 8;
  /** A boxed Integer, Long or Double. */
  public static final int NUMBER = 24;
  /** String header and its array's header. */
  private static final int STRING = 48;

  private JsonHeapCost() {}

  /** A String: one byte per character when every character is Latin-1 (compact strings), else two. */
  public static long string(String value) {
    int length = value.length();
    for (int i = 0; i < length; i++) {
      if (value.charAt(i) > 0xFF) {
        return STRING + 2L * length;
      }
    }
    return STRING + length;
  }
}
