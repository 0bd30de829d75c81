package io.syncgateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pull cursors (PROTOCOL.md §4, v1.1): opaque, always beginning with a letter, tamper-evident and
 * bound to their organization; anything else → invalid_cursor.
 */
@DisplayName("FeedCursor")
class FeedCursorTest {
  private static final String ORG = "org-1";
  private static final CursorSigner SIGNER = CursorSigner.ofKey(key(1));
  private static final FeedCursor CURSOR = new FeedCursor(77, 987_654_321L, 1_732_550_000_123L, 1_732_550_000_124L);
  private static final String CURSOR_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-";

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  private static String encoded() {
    return CURSOR.encode(SIGNER, ORG);
  }

  private static void assertInvalidCursor(String text, CursorSigner signer, String orgId) {
    Throwable thrown = catchThrowable(() -> FeedCursor.decode(text, signer, orgId));

    assertThat(thrown).as("decoding %s", text).isInstanceOf(GatewayException.class);
    assertThat(((GatewayException) thrown).code()).isEqualTo(ErrorCode.INVALID_CURSOR);
  }

  @ParameterizedTest(name = "xid {0}, seq {1}, written by {2}, sequence started {3}")
  @CsvSource({"0, 0, 0, 0", "0, 1, 1732550000123, 1732550000999", "123456, 123456789, 1732550000123, 1732550000123",
      "9223372036854775807, 9223372036854775807, 9223372036854775807, 9223372036854775807"})
  @DisplayName("decodes what it encodes, for the same organization and key")
  void roundTrip(long xid, long seq, long positionTime, long sequenceStart) {
    FeedCursor cursor = new FeedCursor(xid, seq, positionTime, sequenceStart);

    assertThat(FeedCursor.decode(cursor.encode(SIGNER, ORG), SIGNER, ORG)).isEqualTo(cursor);
  }

  @Test
  @DisplayName("decodes with another signer holding the same key (another gateway process)")
  void sameKeyElsewhere() {
    assertThat(FeedCursor.decode(encoded(), CursorSigner.ofKey(key(1)), ORG)).isEqualTo(CURSOR);
  }

  @ParameterizedTest(name = "seq {0}")
  @ValueSource(longs = {0, 7, 1000, 1_732_550_000_123L})
  @DisplayName("begins with a letter and is never all digits, so it can never be read as a timestamp")
  void beginsWithLetter(long seq) {
    String encoded = new FeedCursor(0, seq, 1_732_550_000_123L, 1_732_550_000_123L).encode(SIGNER, ORG);

    assertThat(Character.isLetter(encoded.charAt(0))).isTrue();
    assertThat(encoded).doesNotMatch("[0-9]+");
  }

  @Test
  @DisplayName("is URL-safe and compact")
  void urlSafeAndCompact() {
    String largest = new FeedCursor(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE).encode(SIGNER, ORG);

    assertThat(encoded()).matches("[A-Za-z0-9_-]+");
    assertThat(largest).matches("[A-Za-z0-9_-]+").hasSizeLessThanOrEqualTo(80);
  }

  @Test
  @DisplayName("differs for different positions")
  void distinct() {
    assertThat(new FeedCursor(0, 1, 5, 5).encode(SIGNER, ORG)).isNotEqualTo(new FeedCursor(0, 2, 5, 5).encode(SIGNER, ORG));
    assertThat(new FeedCursor(1, 1, 5, 5).encode(SIGNER, ORG)).isNotEqualTo(new FeedCursor(0, 1, 5, 5).encode(SIGNER, ORG));
  }

  @Test
  @DisplayName("any single altered character → invalid_cursor")
  void alteredCharacter() {
    String genuine = encoded();
    for (int i = 0; i < genuine.length(); i++) {
      for (char replacement : CURSOR_ALPHABET.toCharArray()) {
        if (replacement != genuine.charAt(i)) {
          String altered = genuine.substring(0, i) + replacement + genuine.substring(i + 1);
          assertInvalidCursor(altered, SIGNER, ORG);
        }
      }
    }
  }

  @Test
  @DisplayName("a number spelled with a leading zero (same value, other text) → invalid_cursor")
  void leadingZero() {
    assertInvalidCursor("c0" + encoded().substring(1), SIGNER, ORG);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"org-2", "org-10", "org-", "ORG-1", "org-1 ", "1:org-1", "org-1|"})
  @DisplayName("a cursor issued to another organization → invalid_cursor")
  void otherOrganization(String otherOrg) {
    assertInvalidCursor(encoded(), SIGNER, otherOrg);
  }

  @Test
  @DisplayName("a cursor signed with another key (forged, or another database) → invalid_cursor")
  void wrongKey() {
    assertInvalidCursor(encoded(), CursorSigner.ofKey(key(2)), ORG);
    assertInvalidCursor(CURSOR.encode(CursorSigner.ofKey(key(2)), ORG), SIGNER, ORG);
  }

  @Test
  @DisplayName("a pre-v1.1 unsigned cursor → invalid_cursor")
  void unsignedCursor() {
    assertInvalidCursor("c2dj_m3x8k0h7_m3x8k0h8", SIGNER, ORG);
    assertThat(FeedCursor.hasCursorShape("c2dj_m3x8k0h7_m3x8k0h8")).isFalse();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"0", "1", "123", "1732550000123", "00000000000000000000000000000000000000000000000000000",
      "99999999999999999999999999999999999999999999999999999999999999999999999999999"})
  @DisplayName("all-digit text never has a cursor's shape")
  void digitsAreNotCursors(String digits) {
    assertThat(FeedCursor.hasCursorShape(digits)).isFalse();
  }

  @Test
  @DisplayName("a genuine cursor has a cursor's shape, whatever its organization or key")
  void genuineHasShape() {
    assertThat(FeedCursor.hasCursorShape(encoded())).isTrue();
    assertThat(FeedCursor.hasCursorShape(CURSOR.encode(CursorSigner.ofKey(key(9)), "elsewhere"))).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @NullAndEmptySource
  @ValueSource(strings = {"c", "c_", "c1", "c1_2_3", "c1_2_3_4", "c1_2_3_4_", "c1_2_3_4_short", "zzz", "C1_2_3_4_",
      "cursor-from-elsewhere", "c1'%20OR%201=1", "tombstone", "cA_2_3_4_aaaaaaaaaaaaaaaaaaaaaa",
      "czzzzzzzzzzzzz_0_0_0_aaaaaaaaaaaaaaaaaaaaaa", "c1y2p0ij32e8e8_0_0_0_aaaaaaaaaaaaaaaaaaaaaa"})
  @DisplayName("malformed text has no cursor shape and decodes to invalid_cursor")
  void malformed(String text) {
    assertThat(FeedCursor.hasCursorShape(text)).isFalse();
    assertInvalidCursor(text, SIGNER, ORG);
  }

  @Test
  @DisplayName("whitespace around a genuine cursor is not tolerated")
  void surroundingWhitespace() {
    for (String text : new String[] {" " + encoded(), encoded() + " ", encoded() + "\n", encoded() + "="}) {
      assertThat(FeedCursor.hasCursorShape(text)).isFalse();
      assertInvalidCursor(text, SIGNER, ORG);
    }
  }

  @Test
  @DisplayName("garbage of any length, and any cut or extension of a genuine cursor, is invalid_cursor and nothing else")
  void garbageNeverThrowsAnythingElse() {
    Random random = new Random(20261204);
    String alphabet = CURSOR_ALPHABET + "~.:!%/=+ \n\u0000\u00e9\ud800\udc00\uffff";
    for (int length = 0; length < 2000; length++) {
      StringBuilder text = new StringBuilder(random.nextBoolean() ? "c" : "");
      for (int i = 0; i < length % 200; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertInvalidCursor(text.toString(), SIGNER, ORG);
    }
    String genuine = encoded();
    for (int cut = 0; cut < genuine.length(); cut++) {
      assertInvalidCursor(genuine.substring(0, cut), SIGNER, ORG);
      assertInvalidCursor(genuine.substring(cut + 1), SIGNER, ORG);
      assertInvalidCursor(genuine.substring(0, cut) + "a" + genuine.substring(cut), SIGNER, ORG);
    }
    assertInvalidCursor("c".repeat(1_000_000), SIGNER, ORG);
  }

  @Test
  @DisplayName("numbers are never negative")
  void negativeNumbers() {
    assertThatThrownBy(() -> new FeedCursor(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FeedCursor(0, -1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FeedCursor(0, 0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FeedCursor(0, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a key shorter than 32 bytes is refused")
  void shortKey() {
    assertThatThrownBy(() -> CursorSigner.ofKey(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }
}
