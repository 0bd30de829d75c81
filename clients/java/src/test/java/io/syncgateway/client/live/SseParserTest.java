package io.syncgateway.client.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SSE parser: text/event-stream read chunk by chunk")
class SseParserTest {
  private static final String STREAM = ": ping\n\n"
      + "event: changes\r\ndata: {\"types\":[\"task\"],\"note\":\"Grüße ✓\"}\r\n\r\n"
      + "data: first line\ndata:second line\nid: 7\n\n"
      + "event: reauthenticate\n\n"
      + "\n\n"
      + "event: changes\rdata: {}\r\r";
  private static final List<ServerSentEvent> EXPECTED = List.of(
      new ServerSentEvent("changes", "{\"types\":[\"task\"],\"note\":\"Grüße ✓\"}"),
      new ServerSentEvent("message", "first line\nsecond line"),
      new ServerSentEvent("reauthenticate", ""),
      new ServerSentEvent("changes", "{}"));

  private static List<ServerSentEvent> parse(byte[] bytes, int... cuts) {
    List<ServerSentEvent> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    int from = 0;
    for (int cut : cuts) {
      parser.feed(Buffer.buffer().appendBytes(bytes, from, cut - from));
      from = cut;
    }
    parser.feed(Buffer.buffer().appendBytes(bytes, from, bytes.length - from));
    return events;
  }

  @Test
  @DisplayName("names, multi-line data, CR/LF/CRLF line ends and comments, in one chunk")
  void wholeStream() {
    assertThat(parse(STREAM.getBytes(StandardCharsets.UTF_8))).isEqualTo(EXPECTED);
  }

  @Test
  @DisplayName("the same events whichever two places the bytes are cut, even inside a CRLF or a UTF-8 character")
  void cutAnywhere() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int first = 0; first <= bytes.length; first++) {
      for (int second = first; second <= bytes.length; second++) {
        assertThat(parse(bytes, first, second)).as("cut at %d and %d", first, second).isEqualTo(EXPECTED);
      }
    }
  }

  @Test
  @DisplayName("an event is dispatched only at the blank line that ends it")
  void waitsForTheBlankLine() {
    List<ServerSentEvent> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    parser.feed(Buffer.buffer("event: changes\ndata: {}\n"));
    assertThat(events).isEmpty();
    parser.feed(Buffer.buffer("\n"));
    assertThat(events).containsExactly(new ServerSentEvent("changes", "{}"));
  }
}
