package io.syncgateway.persistence;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tags pull cursors with a truncated HMAC-SHA256, so that a client can neither alter a cursor nor
 * use one issued to another organization (PROTOCOL §4, v1.1). The key is kept in the database
 * (table {@code gateway_secrets}, V4 migration): every gateway process on one database then accepts
 * the cursors of the others, and cursors stay valid across restarts.
 */
public final class CursorSigner {
  /** Length of a tag: 16 bytes (128 bits) of the MAC in base64url without padding. */
  static final int TAG_CHARS = 22;
  private static final int TAG_BYTES = 16;
  private static final int KEY_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder TAG_ENCODING = Base64.getUrlEncoder().withoutPadding();

  static final String KEY_NAME = "cursor-hmac-sha256";
  private static final String SELECT_KEY = "SELECT value FROM gateway_secrets WHERE name = $1";
  /** Several processes may start at once on an empty database: the first insert wins, the others read it. */
  private static final String INSERT_KEY_ONCE =
      "INSERT INTO gateway_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private CursorSigner(byte[] key) {
    this.key = new SecretKeySpec(key, ALGORITHM);
  }

  /** A signer with the given key (at least 32 bytes); for tests and tools. */
  public static CursorSigner ofKey(byte[] key) {
    if (key.length < KEY_BYTES) {
      throw new IllegalArgumentException("a cursor key needs at least " + KEY_BYTES + " bytes");
    }
    return new CursorSigner(key.clone());
  }

  /** The database's cursor key, created (32 random bytes) by the first gateway that finds none. */
  public static Future<CursorSigner> load(Pool pool) {
    return readKey(pool)
        .compose(key -> key != null ? Future.succeededFuture(key) : pool.preparedQuery(INSERT_KEY_ONCE)
            .execute(Tuple.of(KEY_NAME, Buffer.buffer(newKey()), System.currentTimeMillis()))
            .compose(inserted -> readKey(pool)))
        .map(key -> {
          if (key == null) {
            throw new IllegalStateException("the cursor key could be neither read nor created");
          }
          return ofKey(key);
        });
  }

  private static Future<byte[]> readKey(Pool pool) {
    return pool.preparedQuery(SELECT_KEY).execute(Tuple.of(KEY_NAME))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getBuffer("value").getBytes());
  }

  private static byte[] newKey() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }

  /** The tag of {@code payload}: {@value #TAG_CHARS} characters of {@code [A-Za-z0-9_-]}. */
  public String tag(String payload) {
    return TAG_ENCODING.encodeToString(Arrays.copyOf(mac(payload), TAG_BYTES));
  }

  /**
   * Whether {@code tag} is the tag of {@code payload}, in constant time. Compares the text rather
   * than decoded bytes: a base64 decoder ignores the low bits of the last character, and every
   * character of a cursor must count.
   */
  public boolean verify(String payload, String tag) {
    return MessageDigest.isEqual(tag(payload).getBytes(StandardCharsets.UTF_8), tag.getBytes(StandardCharsets.UTF_8));
  }

  /** Over the UTF-16 code units, so that distinct strings (even with lone surrogates) never share a MAC input. */
  private byte[] mac(String payload) {
    ByteBuffer units = ByteBuffer.allocate(payload.length() * 2);
    units.asCharBuffer().put(payload);
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(units.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this Java runtime", e);
    }
  }
}
