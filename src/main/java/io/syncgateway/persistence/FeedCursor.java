package io.syncgateway.persistence;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Temporary: replaced by the signed cursor. */
public record FeedCursor(long xid, long seq, long positionTime, long sequenceStart) {
  private static final Pattern FORMAT =
      Pattern.compile("c([0-9a-z]{1,13})_([0-9a-z]{1,13})_([0-9a-z]{1,13})_([0-9a-z]{1,13})");

  public String encode(CursorSigner signer, String orgId) {
    return "c" + Long.toString(xid, 36) + "_" + Long.toString(seq, 36) + "_" + Long.toString(positionTime, 36) + "_"
        + Long.toString(sequenceStart, 36);
  }

  public static FeedCursor decode(String text, CursorSigner signer, String orgId) {
    Matcher matcher = FORMAT.matcher(text);
    if (!matcher.matches()) {
      throw new GatewayException(ErrorCode.INVALID_CURSOR, "since is neither a cursor from a pull nor a timestamp");
    }
    return new FeedCursor(Long.parseLong(matcher.group(1), 36), Long.parseLong(matcher.group(2), 36),
        Long.parseLong(matcher.group(3), 36), Long.parseLong(matcher.group(4), 36));
  }

  public static boolean hasCursorShape(String text) {
    return FORMAT.matcher(text).matches();
  }
}
