package io.syncgateway.persistence.db;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Where and how to reach one PostgreSQL database, parsed from
 * {@code postgresql://user:password@host[:port]/database[?sslmode=...]}.
 *
 * <p>Also accepts the {@code postgres://} and {@code jdbc:postgresql://} schemes, bracketed IPv6 hosts and
 * {@code user}/{@code password} query parameters (the JDBC habit). Other query parameters are ignored.
 *
 * <p>The password never appears in {@link #toString()}, {@link #redacted()} or parse error messages, so a
 * {@code PgUrl} can be logged safely.
 *
 * @param sslMode libpq sslmode name ({@code disable} ... {@code verify-full}), or {@code null} for the client default
 * @param password may be {@code null} (trust authentication, as on the embedded server)
 */
public record PgUrl(String host, int port, String database, String user, String password, String sslMode) {

  public static final int DEFAULT_PORT = 5432;

  private static final String[] SCHEMES = {"jdbc:postgresql://", "postgresql://", "postgres://"};
  private static final Set<String> SSL_MODES =
      Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  private static final String EXPECTED = "expected postgresql://user:password@host[:port]/database";

  public PgUrl {
    require(host != null && !host.isBlank(), "missing host");
    require(port > 0 && port <= 65535, "port out of range");
    require(database != null && !database.isBlank(), "missing database name");
    require(user != null && !user.isBlank(),
        "missing user: write user:password@ before the host, or add ?user=...&password=... (JDBC style)");
    require(sslMode == null || SSL_MODES.contains(sslMode), "unknown sslmode, expected one of " + SSL_MODES);
  }

  public static PgUrl of(String host, int port, String database, String user, String password) {
    return new PgUrl(host, port, database, user, password, null);
  }

  /**
   * Parses a connection URL. Errors say what is wrong but never repeat the input, because it may hold a
   * password.
   */
  public static PgUrl parse(String url) {
    require(url != null, "URL is null");
    String rest = stripScheme(url.trim());

    String query = null;
    int queryStart = rest.indexOf('?');
    if (queryStart >= 0) {
      query = rest.substring(queryStart + 1);
      rest = rest.substring(0, queryStart);
    }
    int slash = rest.indexOf('/');
    require(slash >= 0, "missing /database");
    String authority = rest.substring(0, slash);
    String database = decode(rest.substring(slash + 1));
    require(!database.isEmpty() && database.indexOf('/') < 0, "missing or invalid database name");

    // The last '@' separates user info from the host: an unencoded '@' in a password then still parses.
    int at = authority.lastIndexOf('@');
    String userInfo = at >= 0 ? authority.substring(0, at) : null;
    String hostPort = authority.substring(at + 1);

    String user = null;
    String password = null;
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
      password = colon >= 0 ? decode(userInfo.substring(colon + 1)) : null;
    }

    String sslMode = null;
    if (query != null) {
      for (String param : query.split("&")) {
        int eq = param.indexOf('=');
        String key = decode(eq >= 0 ? param.substring(0, eq) : param).toLowerCase(Locale.ROOT);
        String value = eq >= 0 ? decode(param.substring(eq + 1)) : "";
        switch (key) {
          case "sslmode" -> sslMode = value.toLowerCase(Locale.ROOT);
          case "user" -> user = user == null || user.isEmpty() ? value : user;
          case "password" -> password = password == null ? value : password;
          default -> { } // connect timeouts, application_name, ...: not ours to interpret
        }
      }
    }

    String host;
    int port = DEFAULT_PORT;
    String portText = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      require(close > 1, "unterminated [IPv6] host");
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      require(after.isEmpty() || after.startsWith(":"), "unexpected text after ]");
      portText = after.isEmpty() ? null : after.substring(1);
    } else {
      int colon = hostPort.indexOf(':');
      require(colon < 0 || hostPort.indexOf(':', colon + 1) < 0, "IPv6 hosts must be written in [brackets]");
      host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
      portText = colon >= 0 ? hostPort.substring(colon + 1) : null;
    }
    if (portText != null) {
      require(!portText.isEmpty() && portText.chars().allMatch(Character::isDigit) && portText.length() <= 5,
          "port is not a number");
      port = Integer.parseInt(portText);
    }
    return new PgUrl(host, port, database, user, password, sslMode);
  }

  /** JDBC URL without credentials: pass {@link #user()} and {@link #password()} separately. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + hostAndPort() + "/" + encode(database)
        + (sslMode == null ? "" : "?sslmode=" + sslMode);
  }

  public PgConnectOptions connectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        // Without the cache every prepared query is parsed anew, an extra round trip per statement.
        .setCachePreparedStatements(true);
    if (password != null) {
      options.setPassword(password);
    }
    if (sslMode != null) {
      options.setSslMode(SslMode.of(sslMode));
    }
    return options;
  }

  public PgUrl withDatabase(String newDatabase) {
    return new PgUrl(host, port, newDatabase, user, password, sslMode);
  }

  /** The full URL, password included: for configuration only, never for logs. */
  public String connectionString() {
    String secret = password == null || password.isEmpty() ? "" : ":" + encode(password);
    return "postgresql://" + encode(user) + secret + "@" + hostAndPort() + "/" + encode(database)
        + (sslMode == null ? "" : "?sslmode=" + sslMode);
  }

  /** The URL with the password masked, for logs and error messages. */
  public String redacted() {
    String secret = password == null || password.isEmpty() ? "" : ":***";
    return "postgresql://" + encode(user) + secret + "@" + hostAndPort() + "/" + encode(database)
        + (sslMode == null ? "" : "?sslmode=" + sslMode);
  }

  /** Redacted: records would otherwise print the password. */
  @Override
  public String toString() {
    return redacted();
  }

  private String hostAndPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static String stripScheme(String url) {
    for (String scheme : SCHEMES) {
      if (url.regionMatches(true, 0, scheme, 0, scheme.length())) {
        return url.substring(scheme.length());
      }
    }
    throw invalid("unsupported scheme, use postgresql://, postgres:// or jdbc:postgresql://");
  }

  /** RFC 3986 percent-decoding; unlike URLDecoder, '+' stays a plus sign. */
  private static String decode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    int i = 0;
    while (i < text.length()) {
      int percent = text.indexOf('%', i);
      int end = percent < 0 ? text.length() : percent;
      out.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
      if (percent < 0) {
        break;
      }
      require(percent + 2 < text.length(), "truncated %-escape");
      int hi = Character.digit(text.charAt(percent + 1), 16);
      int lo = Character.digit(text.charAt(percent + 2), 16);
      require(hi >= 0 && lo >= 0, "invalid %-escape");
      out.write(hi << 4 | lo);
      i = percent + 3;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String encode(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw invalid(problem);
    }
  }

  private static IllegalArgumentException invalid(String problem) {
    return new IllegalArgumentException("Invalid PostgreSQL URL: " + problem + " (" + EXPECTED + ")");
  }
}
