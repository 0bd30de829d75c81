package io.syncgateway.persistence;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An opaque pull cursor. {@code (xid, seq)}: the feed position reached. {@code positionTime}: the
 * server time (ms) by which every change at or below that position had been written; changes beyond
 * it were written later. {@code sequenceStart}: the server time (ms) of the first request of the pull
 * sequence (for a cursor at the end of the feed, the next request starts a new sequence: both times
 * are the same). All four are ≥ 0.
 *
 * <p>Text form: {@code c<xid>_<seq>_<positionTime>_<sequenceStart>_<tag>}, the numbers in base 36
 * without leading zeros, the tag a truncated HMAC of the organization and the four numbers
 * ({@link CursorSigner}). It begins with a letter, so it never looks like a timestamp, and it is
 * URL-safe ({@code [A-Za-z0-9_-]}).
 */
public record FeedCursor(long xid, long seq, long positionTime, long sequenceStart) {
  /** Base 36 without leading zeros: each number has exactly one spelling, so no character is free to change. */
  private static final String NUMBER = "(0|[1-9a-z][0-9a-z]{0,12})";
  private static final Pattern FORMAT = Pattern.compile(
      "c" + NUMBER + "_" + NUMBER + "_" + NUMBER + "_" + NUMBER + "_[A-Za-z0-9_-]{" + CursorSigner.TAG_CHARS + "}");
  private static final int MAX_LENGTH = 1 + 4 * (13 + 1) + CursorSigner.TAG_CHARS;
  /** Separates what cursors sign from any other use of the key. */
  private static final String PURPOSE = "feed-cursor/1";

  public FeedCursor {
    if (xid < 0 || seq < 0 || positionTime < 0 || sequenceStart < 0) {
      throw new IllegalArgumentException("cursor numbers are never negative: " + xid + ", " + seq + ", "
          + positionTime + ", " + sequenceStart);
    }
  }

  /** The opaque cursor: begins with a letter, carries an HMAC binding it to {@code orgId}. */
  public String encode(CursorSigner signer, String orgId) {
    String numbers = "c" + base36(xid) + "_" + base36(seq) + "_" + base36(positionTime) + "_" + base36(sequenceStart);
    return numbers + "_" + signer.tag(signedText(numbers, orgId));
  }

  /**
   * Verifies format and HMAC for {@code orgId}; a malformed, altered or foreign cursor throws
   * {@link GatewayException} with {@link ErrorCode#INVALID_CURSOR}.
   */
  public static FeedCursor decode(String text, CursorSigner signer, String orgId) {
    FeedCursor cursor = parse(text);
    if (cursor == null) {
      throw new GatewayException(ErrorCode.INVALID_CURSOR, "not a cursor from a pull");
    }
    int tagStart = text.length() - CursorSigner.TAG_CHARS;
    if (!signer.verify(signedText(text.substring(0, tagStart - 1), orgId), text.substring(tagStart))) {
      throw new GatewayException(ErrorCode.INVALID_CURSOR,
          "the cursor was altered or issued to another organization; pull from the beginning or with a timestamp");
    }
    return cursor;
  }

  /** Format check only (no key), for the HTTP edge: true when {@code text} could be a cursor. */
  public static boolean hasCursorShape(String text) {
    return parse(text) != null;
  }

  /** The cursor's numbers, or null when {@code text} does not have a cursor's shape. */
  private static FeedCursor parse(String text) {
    if (text == null || text.length() > MAX_LENGTH) {
      return null; // cheap length check first: never run the pattern over huge inputs
    }
    Matcher matcher = FORMAT.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    try {
      return new FeedCursor(Long.parseLong(matcher.group(1), 36), Long.parseLong(matcher.group(2), 36),
          Long.parseLong(matcher.group(3), 36), Long.parseLong(matcher.group(4), 36));
    } catch (NumberFormatException tooLarge) {
      return null; // 13 base-36 digits can exceed a long
    }
  }

  /** The organization (length-prefixed, so no organization id can pose as another) and the numbers. */
  private static String signedText(String numbers, String orgId) {
    return PURPOSE + "|" + orgId.length() + ":" + orgId + "|" + numbers;
  }

  private static String base36(long value) {
    return Long.toString(value, 36);
  }
}
