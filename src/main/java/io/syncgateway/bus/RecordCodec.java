package io.syncgateway.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Carries an immutable message record: by reference inside the JVM (no copy), as JSON with a length
 * prefix when it leaves it, so a verticle on another node, or in another language, reads plain JSON.
 */
final class RecordCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  RecordCodec(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.type = type;
    this.toJson = toJson;
    this.fromJson = fromJson;
  }

  Class<T> type() {
    return type;
  }

  @Override
  public void encodeToWire(Buffer buffer, T message) {
    Buffer json = toJson.apply(message).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.slice(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T message) {
    return message;
  }

  @Override
  public String name() {
    return type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
