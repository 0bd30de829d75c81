package io.syncgateway.entity;

import java.util.regex.Pattern;

/**
 * The id alphabet shared by entity ids, device ids, vector-clock keys and batch ids.
 *
 * <p>Ids are restricted to URL-path-safe characters so they can appear in routes such as
 * {@code /api/tasks/{id}} without escaping; "." and ".." are excluded because they would be
 * treated as path segments.
 */
public final class Ids {

  /** Longest id accepted anywhere in the protocol. */
  public static final int MAX_LENGTH = 128;

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._~:-]{1," + MAX_LENGTH + "}");

  private Ids() {
  }

  /** Returns whether {@code s} is a well-formed id; {@code null} is not. */
  public static boolean isValid(String s) {
    if (s == null || s.isEmpty() || s.length() > MAX_LENGTH) {
      return false; // cheap length check first: never run the regex over huge inputs
    }
    return VALID.matcher(s).matches() && !s.equals(".") && !s.equals("..");
  }
}
