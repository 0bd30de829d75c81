package io.syncgateway.client.live;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads a {@code text/event-stream} as it arrives, in chunks split anywhere (even inside a line, a
 * CRLF or a UTF-8 character): bytes are kept until a line ends, and an event is dispatched at the
 * blank line that ends it. Comment lines ({@code : ping}) and unknown fields are skipped. Unlike a
 * browser, an event with a name but no data is dispatched too ({@code event: reauthenticate} needs
 * no data).
 */
public final class SseParser {
  private static final String DEFAULT_NAME = "message";

  private final Consumer<ServerSentEvent> events;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder data = new StringBuilder();
  private String name;
  private boolean hasData;
  private boolean afterCarriageReturn;

  public SseParser(Consumer<ServerSentEvent> events) {
    this.events = events;
  }

  public void feed(Buffer chunk) {
    for (int i = 0; i < chunk.length(); i++) {
      byte b = chunk.getByte(i);
      if (b == '\n' && afterCarriageReturn) {
        afterCarriageReturn = false; // the LF of a CRLF, whether or not a chunk ended between them
        continue;
      }
      afterCarriageReturn = b == '\r';
      if (b == '\r' || b == '\n') {
        endLine(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }

  private void endLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.startsWith(":")) {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + (text.startsWith(" ", colon + 1) ? 2 : 1));
    switch (field) {
      case "event" -> name = value;
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      default -> {
        // id, retry and unknown fields: the client has no use for them.
      }
    }
  }

  private void dispatch() {
    if (hasData || name != null) {
      events.accept(new ServerSentEvent(name == null || name.isEmpty() ? DEFAULT_NAME : name, data.toString()));
    }
    name = null;
    data.setLength(0);
    hasData = false;
  }
}
