package io.syncgateway.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A pull page of the floor target as a client would receive it: the rows encoded as JSON in the
 * gateway's page shape (a task is its id, its data fields, then vectorClock, version, createdAt,
 * createdBy, updatedAt, lastModifiedBy, lastModifiedDevice, organizationId, checksum; empty comments,
 * attachments and tombstones; cursor and hasMore), gzip-compressed at level 1 as the gateway's HTTP
 * server answers. The JSONB columns are read as text and spliced in, never parsed.
 */
record FloorPage(Buffer gzippedJson, int entities, String cursor, boolean hasMore) {
  /** The columns {@link #encode} reads, in this order. */
  static final String COLUMNS = "id, data::text, vector_clock::text, version, created_at, created_by, updated_at, "
      + "last_modified_by, last_modified_device, checksum, pos";
  private static final JsonFactory JSON = new JsonFactory();
  private static final List<String> EMPTY_ARRAYS = List.of("comments", "attachments", "tombstones");

  /**
   * @param rows up to {@code limit + 1} rows in position order: one more than the page tells that there is more
   * @param after the cursor the page was read after, kept when the page is empty
   */
  static FloorPage encode(String orgId, RowSet<Row> rows, int limit, String after) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024 + 800 * Math.min(limit, rows.size()));
    int entities = 0;
    String cursor = after;
    try (JsonGenerator json = JSON.createGenerator(new FastGzip(bytes))) {
      json.writeStartObject();
      json.writeArrayFieldStart("tasks");
      for (Row row : rows) {
        if (entities == limit) {
          break;
        }
        writeTask(json, orgId, row);
        cursor = String.valueOf(row.getLong(10));
        entities++;
      }
      json.writeEndArray();
      for (String name : EMPTY_ARRAYS) {
        json.writeArrayFieldStart(name);
        json.writeEndArray();
      }
      json.writeStringField("cursor", cursor);
      json.writeBooleanField("hasMore", rows.size() > limit);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FloorPage(Buffer.buffer(bytes.toByteArray()), entities, cursor, rows.size() > limit);
  }

  Page toPage() {
    return new Page(entities, cursor, hasMore);
  }

  private static void writeTask(JsonGenerator json, String orgId, Row row) throws IOException {
    json.writeStartObject();
    json.writeStringField("id", row.getString(0));
    String data = row.getString(1);
    if (data.length() > 2) {
      // The fields of the stored object, without its braces: the generator then adds the next comma itself.
      json.writeRaw(',');
      json.writeRaw(data, 1, data.length() - 2);
    }
    json.writeFieldName("vectorClock");
    json.writeRawValue(row.getString(2));
    json.writeNumberField("version", row.getLong(3));
    json.writeNumberField("createdAt", row.getLong(4));
    json.writeStringField("createdBy", row.getString(5));
    json.writeNumberField("updatedAt", row.getLong(6));
    json.writeStringField("lastModifiedBy", row.getString(7));
    json.writeStringField("lastModifiedDevice", row.getString(8));
    json.writeStringField("organizationId", orgId);
    json.writeStringField("checksum", row.getString(9));
    json.writeEndObject();
  }

  /** gzip at level 1, the gateway's response compression level. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 8192);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
