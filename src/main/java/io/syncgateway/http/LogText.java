package io.syncgateway.http;

/**
 * Request data made safe to log: a client could otherwise forge log lines (CR, LF), hide text
 * (backspace, ANSI escapes) or break the text format's {@code key="value"} pairs. Control characters,
 * Unicode line breaks, quotes and backslashes become escapes, so a value is always one line in
 * both the text and the JSON format, and reads back unambiguously.
 */
final class LogText {
  private LogText() {}

  static String escape(String value) {
    StringBuilder safe = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      String replacement = replacement(c);
      if (replacement != null && safe == null) {
        safe = new StringBuilder(value.length() + 16).append(value, 0, i);
      }
      if (safe != null) {
        if (replacement != null) {
          safe.append(replacement);
        } else {
          safe.append(c);
        }
      }
    }
    return safe == null ? value : safe.toString();
  }

  private static String replacement(char c) {
    return switch (c) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      default -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
          ? String.format("\\u%04x", (int) c) : null;
    };
  }
}
