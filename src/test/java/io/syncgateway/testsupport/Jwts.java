package io.syncgateway.testsupport;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens signed by hand, the way another issuer would: RS256 with an RSA key, ES256 with a P-256
 * key (the raw R||S signature of RFC 7518, not DER), HMAC, or unsigned; and the key files an
 * operator would configure (PEM public keys, JWKS).
 */
public final class Jwts {
  private Jwts() {}

  public static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An EC key pair on the named curve, e.g. {@code secp256r1} (P-256) or {@code secp384r1}. */
  public static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonObject claims(String user, String org) {
    return new JsonObject().put("sub", user).put("org", org).put("exp", System.currentTimeMillis() / 1000 + 3600);
  }

  /** RS256 (SHA256withRSA) or ES256 (SHA256withECDSA, P1363 form), with an optional kid. */
  public static String sign(String alg, PrivateKey key, JsonObject claims, String kid) {
    String javaAlgorithm = switch (alg) {
      case "RS256" -> "SHA256withRSA";
      case "RS512" -> "SHA512withRSA";
      case "ES256" -> "SHA256withECDSAinP1363Format";
      case "ES384" -> "SHA384withECDSAinP1363Format";
      default -> throw new IllegalArgumentException(alg);
    };
    String input = signingInput(header(alg, kid), claims);
    try {
      Signature signature = Signature.getInstance(javaAlgorithm);
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HMAC-signed token (HS256/HS384/HS512) with any header alg and any key bytes. */
  public static String hmac(String alg, String macAlgorithm, byte[] key, JsonObject claims) {
    String input = signingInput(header(alg, null), claims);
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(key, macAlgorithm));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code alg: none}, empty signature. */
  public static String unsigned(JsonObject claims) {
    return signingInput(header("none", null), claims) + ".";
  }

  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** The public JWK of an RSA or EC P-256 key, with {@code kid} and no {@code alg}. */
  public static JsonObject jwk(PublicKey key, String kid) {
    if (key instanceof RSAPublicKey rsa) {
      return new JsonObject().put("kty", "RSA").put("kid", kid)
          .put("n", b64(unsigned(rsa.getModulus()))).put("e", b64(unsigned(rsa.getPublicExponent())));
    }
    ECPublicKey ec = (ECPublicKey) key;
    return new JsonObject().put("kty", "EC").put("kid", kid).put("crv", "P-256")
        .put("x", b64(fixed(ec.getW().getAffineX(), 32))).put("y", b64(fixed(ec.getW().getAffineY(), 32)));
  }

  public static Path write(Path directory, String name, String content) {
    try {
      return Files.writeString(directory.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonObject header(String alg, String kid) {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    return kid == null ? header : header.put("kid", kid);
  }

  private static String signingInput(JsonObject header, JsonObject claims) {
    return b64(header.encode().getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
  }

  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = unsigned(value);
    byte[] out = new byte[length];
    System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
    return out;
  }
}
