package io.syncgateway.persistence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Writes one JSON object straight into a buffer, field by field, with the encoder Vert.x uses for
 * {@code JsonObject} (so values come out exactly as {@code Json.encode} would write them), without
 * building the object tree first.
 */
final class JsonBufferWriter {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** A step of writing; the generator writes into memory, so its IOException never really happens. */
  private interface Step {
    void run() throws IOException;
  }

  private final Buffer bytes;
  private final JsonGenerator generator;

  JsonBufferWriter(int expectedBytes) {
    // Written straight into the buffer that is sent: no second copy of a page of megabytes.
    bytes = Buffer.buffer(expectedBytes);
    try {
      generator = FACTORY.createGenerator(new OutputStream() {
        @Override
        public void write(int b) {
          bytes.appendByte((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          bytes.appendBytes(b, off, len);
        }
      });
      generator.writeStartObject();
    } catch (IOException e) {
      throw new EncodeException(e.getMessage());
    }
  }

  JsonBufferWriter field(String name, Object value) {
    write(() -> generator.writeFieldName(name));
    JacksonCodec.encodeJson(value, generator);
    return this;
  }

  /** Where the members of one object of an array go. */
  interface Members {
    void field(String name, Object value);

    /**
     * The members of a JSON object given as text ({@code {"a": 1, …}}), copied in as they are:
     * the text comes from PostgreSQL's jsonb output, so it is valid JSON already.
     */
    void rawMembers(String objectText);
  }

  /** An array of objects, each written by {@code fields} member by member, in order. */
  <T> JsonBufferWriter array(String name, List<T> items, BiConsumer<T, Members> fields) {
    write(() -> {
      generator.writeFieldName(name);
      generator.writeStartArray();
    });
    Members members = new Members() {
      @Override
      public void field(String fieldName, Object value) {
        JsonBufferWriter.this.field(fieldName, value);
      }

      @Override
      public void rawMembers(String objectText) {
        String inner = objectText.substring(objectText.indexOf('{') + 1, objectText.lastIndexOf('}')).strip();
        if (!inner.isEmpty()) {
          // The generator has written at least one member ("id") before: the raw ones follow a comma.
          write(() -> generator.writeRaw("," + inner));
        }
      }
    };
    for (T item : items) {
      write(generator::writeStartObject);
      fields.accept(item, members);
      write(generator::writeEndObject);
    }
    write(generator::writeEndArray);
    return this;
  }

  /** Ends the object; the writer is done. */
  Buffer toBuffer() {
    write(() -> {
      generator.writeEndObject();
      generator.close();
    });
    return bytes;
  }

  private static void write(Step step) {
    try {
      step.run();
    } catch (IOException e) {
      throw new EncodeException(e.getMessage());
    }
  }
}
