package io.syncgateway.persistence;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An opaque pull cursor. {@code position}: the feed position reached. {@code positionTime}: the
 * server time by which every change at or below it had been written — changes beyond it were written
 * later. {@code sequenceStart}: the server time of the first request of the pull sequence (for a
 * cursor at the end of the feed, the next request starts a new sequence: both times are the same).
 * Always begins with a letter, so it never looks like a timestamp.
 */
public record FeedCursor(long position, long positionTime, long sequenceStart) {
  private static final Pattern FORMAT = Pattern.compile("c([0-9a-z]{1,12})_([0-9a-z]{1,12})_([0-9a-z]{1,12})");

  public String encode() {
    return "c" + Long.toString(position, 36) + "_" + Long.toString(positionTime, 36) + "_"
        + Long.toString(sequenceStart, 36);
  }

  public static FeedCursor decode(String text) {
    Matcher matcher = FORMAT.matcher(text);
    if (!matcher.matches()) {
      throw new GatewayException(ErrorCode.INVALID_CURSOR, "since is neither a cursor from a pull nor a timestamp");
    }
    return new FeedCursor(Long.parseLong(matcher.group(1), 36), Long.parseLong(matcher.group(2), 36),
        Long.parseLong(matcher.group(3), 36));
  }
}
