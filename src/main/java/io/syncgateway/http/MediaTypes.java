package io.syncgateway.http;

import java.util.Locale;

/** Which request content types count as JSON: application/json and application/*+json. */
final class MediaTypes {
  private MediaTypes() {}

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json")
        && type.indexOf('/') == type.lastIndexOf('/') && type.length() > "application/+json".length());
  }
}
