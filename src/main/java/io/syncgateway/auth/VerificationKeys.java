package io.syncgateway.auth;

import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys that verify bearer tokens and the algorithms they accept: the HS256 secret (the
 * default), and optionally RSA (RS256) and EC P-256 (ES256) public keys from a PEM file or a JWKS
 * file, for operators whose tokens are issued elsewhere. A token is accepted only with an algorithm
 * listed here; {@code none} never is.
 */
public final class VerificationKeys {
  public static final String HS256 = "HS256";
  public static final String RS256 = "RS256";
  public static final String ES256 = "ES256";
  public static final Set<String> SUPPORTED = Set.of(HS256, RS256, ES256);
  public static final int MIN_SECRET_BYTES = 32;
  public static final int MIN_RSA_BITS = 2048;

  private static final Logger LOG = LoggerFactory.getLogger(VerificationKeys.class);
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  /** The order of the P-256 group: identifies the curve whatever the provider calls it. */
  private static final BigInteger P256_ORDER =
      new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
  private static final Set<String> PRIVATE_JWK_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  private final String secret;
  private final List<PubSecKeyOptions> pemKeys;
  private final List<JsonObject> jwks;
  private final Set<String> algorithms;
  private final String issuer;
  private final String audience;

  private VerificationKeys(String secret, List<PubSecKeyOptions> pemKeys, List<JsonObject> jwks,
      Set<String> algorithms, String issuer, String audience) {
    this.secret = secret;
    this.pemKeys = List.copyOf(pemKeys);
    this.jwks = List.copyOf(jwks);
    this.algorithms = Collections.unmodifiableSet(new LinkedHashSet<>(algorithms));
    this.issuer = issuer;
    this.audience = audience;
  }

  /** HS256 with {@code secret} only: the gateway's default. */
  public static VerificationKeys hs256(String secret) {
    requireStrongSecret(secret);
    return new VerificationKeys(secret, List.of(), List.of(), Set.of(HS256), null, null);
  }

  /** Whether the configuration names a public key or JWKS file (then no development secret is made up). */
  public static boolean hasPublicKeyFiles(GatewayConfig config) {
    return config.string(Setting.JWT_PUBLIC_KEY_FILE) != null || config.string(Setting.JWT_JWKS_FILE) != null;
  }

  /**
   * Reads the secret, the PEM and JWKS files and the accepted algorithms from the configuration.
   *
   * @throws IllegalArgumentException with a message for the operator when something is unusable
   */
  public static VerificationKeys fromConfig(GatewayConfig config) {
    String secret = config.string(Setting.JWT_SECRET);
    if (secret != null) {
      requireStrongSecret(secret);
    }
    List<PubSecKeyOptions> pemKeys = new ArrayList<>();
    String pemFile = config.string(Setting.JWT_PUBLIC_KEY_FILE);
    if (pemFile != null) {
      pemKeys.addAll(readPemFile(Path.of(pemFile)));
    }
    List<JsonObject> jwks = new ArrayList<>();
    String jwksFile = config.string(Setting.JWT_JWKS_FILE);
    if (jwksFile != null) {
      jwks.addAll(readJwksFile(Path.of(jwksFile)));
    }

    Set<String> available = new LinkedHashSet<>();
    if (secret != null) {
      available.add(HS256);
    }
    pemKeys.forEach(key -> available.add(key.getAlgorithm()));
    jwks.forEach(key -> available.add(key.getString("alg")));

    Set<String> algorithms = algorithms(config.string(Setting.JWT_ALGORITHMS), available);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("No way to verify tokens: set SYNC_JWT_SECRET (HS256, at least "
          + MIN_SECRET_BYTES + " bytes), SYNC_JWT_PUBLIC_KEY_FILE or SYNC_JWT_JWKS_FILE");
    }
    pemKeys.removeIf(key -> !algorithms.contains(key.getAlgorithm()));
    jwks.removeIf(key -> !algorithms.contains(key.getString("alg")));
    return new VerificationKeys(algorithms.contains(HS256) ? secret : null, pemKeys, jwks, algorithms,
        blankToNull(config.string(Setting.JWT_ISSUER)), blankToNull(config.string(Setting.JWT_AUDIENCE)));
  }

  /** The secret is used as raw UTF-8 bytes and must be long enough to resist guessing. */
  public static void requireStrongSecret(String secret) {
    if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("SYNC_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes long");
    }
  }

  /** The algorithms tokens may be signed with. */
  public Set<String> algorithms() {
    return algorithms;
  }

  /** The HS256 secret, or null when HS256 is not accepted (then the gateway cannot issue tokens). */
  public String secret() {
    return secret;
  }

  public String issuer() {
    return issuer;
  }

  public String audience() {
    return audience;
  }

  /** The vertx-auth-jwt options holding exactly these keys. */
  JWTAuthOptions toOptions() {
    JWTAuthOptions options = new JWTAuthOptions();
    if (secret != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(HS256).setBuffer(secret));
    }
    pemKeys.forEach(options::addPubSecKey);
    jwks.forEach(options::addJwk);
    return options;
  }

  private static Set<String> algorithms(String configured, Set<String> available) {
    if (configured == null || configured.isBlank()) {
      return available;
    }
    Set<String> algorithms = new LinkedHashSet<>();
    for (String name : configured.split(",")) {
      String algorithm = name.trim().toUpperCase(Locale.ROOT);
      if (algorithm.isEmpty()) {
        continue;
      }
      if (!SUPPORTED.contains(algorithm)) {
        throw new IllegalArgumentException("SYNC_JWT_ALGORITHMS: '" + name.trim() + "' is not supported; use "
            + String.join(", ", List.of(HS256, RS256, ES256)));
      }
      if (!available.contains(algorithm)) {
        throw new IllegalArgumentException("SYNC_JWT_ALGORITHMS lists " + algorithm + " but no key for it is configured"
            + (algorithm.equals(HS256) ? " (SYNC_JWT_SECRET)" : " (SYNC_JWT_PUBLIC_KEY_FILE or SYNC_JWT_JWKS_FILE)"));
      }
      algorithms.add(algorithm);
    }
    return algorithms;
  }

  // ------------------------------------------------------------------ PEM

  /** Every PUBLIC KEY block of a PEM file, as an RS256 or ES256 verification key. */
  static List<PubSecKeyOptions> readPemFile(Path file) {
    String text = read(file, "SYNC_JWT_PUBLIC_KEY_FILE");
    List<PubSecKeyOptions> keys = new ArrayList<>();
    Matcher block = PEM_BLOCK.matcher(text);
    while (block.find()) {
      String type = block.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(block.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": a " + type + " block is not valid base64");
      }
      if (!type.equals("PUBLIC KEY")) {
        throw new IllegalArgumentException(file + ": unsupported PEM block '" + type + "'; give public keys as "
            + "'-----BEGIN PUBLIC KEY-----' (openssl pkey -pubout, or openssl x509 -pubkey -noout for a certificate)");
      }
      PublicKey key = publicKey(der, file);
      String algorithm = algorithmOf(key, file.toString());
      keys.add(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(pem(key)));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(file + ": no '-----BEGIN PUBLIC KEY-----' block found");
    }
    return keys;
  }

  private static PublicKey publicKey(byte[] der, Path file) {
    for (String family : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next family
      }
    }
    throw new IllegalArgumentException(file + ": the public key is neither an RSA nor an EC key");
  }

  /** RS256 for RSA keys of at least 2048 bits, ES256 for P-256 keys; anything else is refused. */
  private static String algorithmOf(PublicKey key, String source) {
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        throw new IllegalArgumentException(source + ": RSA keys must have at least " + MIN_RSA_BITS + " bits");
      }
      return RS256;
    }
    if (key instanceof ECPublicKey ec && ec.getParams().getOrder().equals(P256_ORDER)) {
      return ES256;
    }
    throw new IllegalArgumentException(source + ": only RSA (RS256) and EC P-256 (ES256) public keys are supported");
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  // ------------------------------------------------------------------ JWKS

  /**
   * The signature keys of a JWKS file ({@code {"keys": [...]}}): RSA keys for RS256 and EC P-256
   * keys for ES256. Encryption keys and keys for other algorithms are skipped (logged); private
   * members are dropped. At least one usable key is required.
   */
  static List<JsonObject> readJwksFile(Path file) {
    JsonArray keys;
    try {
      keys = new JsonObject(read(file, "SYNC_JWT_JWKS_FILE")).getJsonArray("keys");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": not a JWKS document ({\"keys\": [...]})");
    }
    if (keys == null) {
      throw new IllegalArgumentException(file + ": not a JWKS document ({\"keys\": [...]})");
    }
    List<JsonObject> usable = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      Object entry = keys.getValue(i);
      if (!(entry instanceof JsonObject jwk)) {
        throw new IllegalArgumentException(file + ": keys[" + i + "] is not an object");
      }
      String name = file + " keys[" + i + "]" + (jwk.getValue("kid") instanceof String kid ? " (kid " + kid + ")" : "");
      String algorithm = jwkAlgorithm(jwk);
      if (algorithm == null) {
        LOG.info("{}: skipped (kty {}, alg {}, use {}): only RS256 and ES256 signature keys are used",
            name, jwk.getValue("kty"), jwk.getValue("alg"), jwk.getValue("use"));
        continue;
      }
      JsonObject publicPart = jwk.copy();
      PRIVATE_JWK_MEMBERS.forEach(publicPart::remove);
      publicPart.put("alg", algorithm).put("use", "sig");
      // Builds the key as Java sees it, so a malformed key stops the start instead of failing every token.
      algorithmOf(jwkPublicKey(publicPart, algorithm, name), name);
      usable.add(publicPart);
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException(file + ": no RS256 or ES256 signature key in the JWKS");
    }
    return usable;
  }

  /** RS256 for {@code kty: RSA}, ES256 for {@code kty: EC, crv: P-256}; null for anything else. */
  private static String jwkAlgorithm(JsonObject jwk) {
    Object use = jwk.getValue("use");
    if (use != null && !"sig".equals(use)) {
      return null;
    }
    Object alg = jwk.getValue("alg");
    Object kty = jwk.getValue("kty");
    if ("RSA".equals(kty) && (alg == null || RS256.equals(alg))) {
      return RS256;
    }
    if ("EC".equals(kty) && "P-256".equals(jwk.getValue("crv")) && (alg == null || ES256.equals(alg))) {
      return ES256;
    }
    return null;
  }

  /** The Java public key of an RS256 ({@code n}, {@code e}) or ES256 ({@code x}, {@code y} on P-256) JWK. */
  private static PublicKey jwkPublicKey(JsonObject jwk, String algorithm, String name) {
    try {
      if (RS256.equals(algorithm)) {
        return KeyFactory.getInstance("RSA").generatePublic(
            new RSAPublicKeySpec(unsignedBase64Url(jwk, "n"), unsignedBase64Url(jwk, "e")));
      }
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      ECParameterSpec p256 = parameters.getParameterSpec(ECParameterSpec.class);
      ECPoint point = new ECPoint(unsignedBase64Url(jwk, "x"), unsignedBase64Url(jwk, "y"));
      if (!onCurve(point, p256)) {
        throw new IllegalArgumentException("the point (x, y) is not on P-256");
      }
      return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, p256));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(name + ": not a valid " + algorithm + " key: " + e.getMessage());
    }
  }

  private static BigInteger unsignedBase64Url(JsonObject jwk, String member) {
    Object value = jwk.getValue(member);
    if (!(value instanceof String text) || text.isEmpty()) {
      throw new IllegalArgumentException("'" + member + "' is missing");
    }
    return new BigInteger(1, Base64.getUrlDecoder().decode(text));
  }

  /** y² = x³ + ax + b (mod p), with both coordinates in the field. */
  private static boolean onCurve(ECPoint point, ECParameterSpec spec) {
    BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
    BigInteger x = point.getAffineX();
    BigInteger y = point.getAffineY();
    if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger left = y.multiply(y).mod(p);
    BigInteger right = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
    return left.equals(right);
  }

  private static String read(Path file, String setting) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(setting + ": cannot read " + file + ": no such file");
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(setting + ": cannot read " + file + ": " + e);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
