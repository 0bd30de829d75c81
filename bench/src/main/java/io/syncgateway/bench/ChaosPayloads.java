package io.syncgateway.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** The push bodies of a chaos run: quiet title edits, flood batches, maximum-size bodies. */
final class ChaosPayloads {
  /** The declared priority of quiet title edits (the design's priority of a title change). */
  static final int EDIT_PRIORITY = 2;
  /** The declared priority of the flooding organization's pushes: the most urgent. */
  static final int FLOOD_PRIORITY = 1;
  /** Tasks in a maximum-size body, each with the longest description allowed (100 000 characters). */
  static final int MAX_BODY_TASKS = 166;
  static final int MAX_DESCRIPTION = 100_000;

  private ChaosPayloads() {}

  /** Title edits of {@code taskIds} by {@code deviceId} at {@code counter}, declared priority 2. */
  static JsonObject titleEdits(String deviceId, String batchId, long counter, List<String> taskIds) {
    JsonObject clock = new JsonObject().put(deviceId, counter);
    return TaskPayloads.body(deviceId, batchId, taskIds.stream().map(id -> new JsonObject()
        .put("id", id).put("operation", "update").put("title", "Edited r" + counter + " " + id)
        .put("priority", EDIT_PRIORITY).put("vectorClock", clock)).toList());
  }

  /** {@code taskIds.size()} new tasks, each declaring priority 1. */
  static JsonObject floodBatch(String deviceId, String batchId, List<String> taskIds) {
    return TaskPayloads.body(deviceId, batchId, IntStream.range(0, taskIds.size())
        .mapToObj(n -> TaskPayloads.create(deviceId, taskIds.get(n), n).put("priority", FLOOD_PRIORITY)).toList());
  }

  /**
   * Random descriptions whose characters carry under 2 bits each (a skewed 5-letter alphabet), so that
   * a body of {@link #MAX_BODY_TASKS} of them is about 16 MiB as JSON and under 4 MiB gzipped.
   */
  static List<String> incompressibleDescriptions(long seed) {
    Random random = new Random(seed);
    char[] letters = "aaaaaaaabbbbccde".toCharArray();
    return IntStream.range(0, MAX_BODY_TASKS).mapToObj(n -> {
      char[] text = new char[MAX_DESCRIPTION];
      for (int i = 0; i < text.length; i++) {
        text[i] = letters[random.nextInt(letters.length)];
      }
      return new String(text);
    }).toList();
  }

  /** A maximum-size push: one new task per description, ids {@code taskIds}. */
  static JsonObject maxSizeBody(String deviceId, String batchId, List<String> taskIds, List<String> descriptions) {
    return TaskPayloads.body(deviceId, batchId, IntStream.range(0, taskIds.size())
        .mapToObj(n -> new JsonObject().put("id", taskIds.get(n)).put("operation", "create")
            .put("title", "Bulk import " + n).put("description", descriptions.get(n % descriptions.size()))
            .put("vectorClock", new JsonObject().put(deviceId, 1L)))
        .toList());
  }

  /**
   * gzip with Huffman coding only: the compressed size follows the entropy of the characters, as it
   * would for real content that does not repeat within gzip's 32 KiB window.
   */
  static Buffer gzipHuffman(byte[] json) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length / 3);
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 1 << 16) {
      {
        def.setStrategy(Deflater.HUFFMAN_ONLY);
      }
    }) {
      gzip.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }
}
