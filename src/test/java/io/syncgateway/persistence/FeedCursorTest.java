package io.syncgateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Pull cursors (PROTOCOL.md §4): opaque, always beginning with a letter, malformed → invalid_cursor. */
@DisplayName("FeedCursor")
class FeedCursorTest {

  @ParameterizedTest(name = "position {0}, written by {1}, sequence started {2}")
  @CsvSource({"0, 0, 0", "1, 1732550000123, 1732550000999", "123456789, 1732550000123, 1732550000123",
      "4738381338321616895, 4738381338321616895, 1"})
  @DisplayName("decodes what it encodes")
  void roundTrip(long position, long positionTime, long sequenceStart) {
    FeedCursor cursor = new FeedCursor(position, positionTime, sequenceStart);

    assertThat(FeedCursor.decode(cursor.encode())).isEqualTo(cursor);
  }

  @ParameterizedTest(name = "position {0}")
  @ValueSource(longs = {0, 7, 1000, 1_732_550_000_123L})
  @DisplayName("begins with a letter, so it can never be read as a timestamp")
  void beginsWithLetter(long position) {
    String encoded = new FeedCursor(position, 1_732_550_000_123L, 1_732_550_000_123L).encode();

    assertThat(encoded).isNotEmpty();
    assertThat(Character.isLetter(encoded.charAt(0))).isTrue();
    assertThat(encoded).doesNotMatch("[0-9]+");
  }

  @Test
  @DisplayName("is URL-safe (letters, digits and underscore only)")
  void urlSafe() {
    assertThat(new FeedCursor(987_654_321L, 1_732_550_000_123L, 1_732_550_000_124L).encode()).matches("[A-Za-z0-9_]+");
  }

  @Test
  @DisplayName("differs for different positions")
  void distinct() {
    assertThat(new FeedCursor(1, 5, 5).encode()).isNotEqualTo(new FeedCursor(2, 5, 5).encode());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {
      "", "c", "c_", "c1", "c1_", "c_1", "1_2_3", "123", "d1_2_3", "C1_2_3", "c1_2", "c1_2_3_4", "c1-2-3",
      " c1_2_3", "c1_2_3 ", "c1_2_3\n", "cA_2_3", "c!_2_3", "c1_2_zzzzzzzzzzzzz", "c%31_2_3", "tombstone"})
  @DisplayName("a malformed cursor → invalid_cursor")
  void malformed(String text) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> FeedCursor.decode(text));

    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR);
  }
}
