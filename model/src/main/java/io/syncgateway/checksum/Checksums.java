package io.syncgateway.checksum;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * Entity checksums (protocol §6): lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON of
 * the entity. JCS makes the digest independent of key order, whitespace and number spelling, so
 * clients in any language can reproduce it.
 */
public final class Checksums {

  /** The value of the push envelope's {@code checksumAlgorithm} that enables verification. */
  public static final String ALGORITHM = "jcs-sha256";

  /** Push bookkeeping and the checksum itself are not part of the entity's state. */
  private static final Set<String> EXCLUDED_KEYS =
      Set.of("checksum", "operation", "priority", "changedFields");

  private static final HexFormat HEX = HexFormat.of();
  /** A typical task's canonical text fits, so the builder rarely grows. */
  private static final int EXPECTED_LENGTH = 1024;

  private Checksums() {
  }

  /**
   * The checksum of {@code entity}, ignoring {@code checksum}, {@code operation},
   * {@code priority}, {@code changedFields} and top-level keys starting with {@code _} (client
   * local flags). Nested objects such as {@code customFields} count in full. The argument is not
   * modified.
   *
   * @throws IllegalArgumentException if the entity cannot be expressed as JSON (e.g. NaN)
   */
  public static String of(JsonObject entity) {
    Objects.requireNonNull(entity, "entity");
    // Shallow copy: only top-level keys are dropped, nested values are shared read-only.
    Map<String, Object> included = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : entity.getMap().entrySet()) {
      String key = e.getKey();
      if (!EXCLUDED_KEYS.contains(key) && !key.startsWith("_")) {
        included.put(key, e.getValue());
      }
    }
    String canonical = CanonicalJson.of(included, EXPECTED_LENGTH);
    if (canonical == null) {
      canonical = canonicalFromText(new JsonObject(included));
    }
    return HEX.formatHex(sha256().digest(canonical.getBytes(StandardCharsets.UTF_8)));
  }

  /** The general route, for values JSON does not have as such (Vert.x encodes them first). */
  private static String canonicalFromText(JsonObject entity) {
    try {
      return new JsonCanonicalizer(entity.encode()).getEncodedString();
    } catch (IOException e) {
      throw new IllegalArgumentException("entity cannot be canonicalized: " + e.getMessage(), e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
