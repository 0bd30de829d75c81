package io.syncgateway.decode;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Undoes a request's Content-Encoding while counting: inflation stops as soon as the decoded size
 * passes the limit, so a compression bomb never makes the gateway hold more than the limit.
 */
public final class PayloadDecoder {
  private static final int CHUNK = 64 * 1024;

  private final int maxDecodedBytes;

  public PayloadDecoder(int maxDecodedBytes) {
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /** Content codings the gateway understands; anything else is answered 415 at the edge. */
  public static boolean isSupported(String encoding) {
    return normalize(encoding) != null;
  }

  /** The canonical name of an encoding header value, or null when unsupported. */
  public static String normalize(String encoding) {
    if (encoding == null || encoding.isBlank()) {
      return "identity";
    }
    String name = encoding.trim().toLowerCase(Locale.ROOT);
    switch (name) {
      case "identity":
      case "gzip":
      case "x-gzip":
        return name.equals("x-gzip") ? "gzip" : name;
      case "deflate":
        return name;
      default:
        return null;
    }
  }

  public byte[] decode(byte[] body, String encoding) {
    String coding = normalize(encoding);
    if (coding == null) {
      throw new GatewayException(ErrorCode.UNSUPPORTED_ENCODING, "Content-Encoding '" + encoding + "' is not supported");
    }
    switch (coding) {
      case "gzip":
        return inflate(body, "gzip");
      case "deflate":
        return inflate(body, "deflate");
      default:
        if (body.length > maxDecodedBytes) {
          throw tooLarge();
        }
        return body;
    }
  }

  private byte[] inflate(byte[] body, String coding) {
    try (InputStream in = open(body, coding)) {
      return readCapped(in);
    } catch (GatewayException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new GatewayException(ErrorCode.BAD_ENCODING, "The body is not valid " + coding + " data");
    }
  }

  private static InputStream open(byte[] body, String coding) throws IOException {
    ByteArrayInputStream raw = new ByteArrayInputStream(body);
    if (coding.equals("gzip")) {
      return new GZIPInputStream(raw, CHUNK);
    }
    // HTTP "deflate" is zlib-wrapped (RFC 1950), but many clients send raw deflate (RFC 1951).
    boolean zlibWrapped = looksLikeZlib(body);
    return new InflaterInputStream(raw, new Inflater(!zlibWrapped), CHUNK) {
      @Override
      public void close() throws IOException {
        super.close();
        inf.end();
      }
    };
  }

  private static boolean looksLikeZlib(byte[] body) {
    if (body.length < 2) {
      return true;
    }
    int cmf = body[0] & 0xff;
    int flg = body[1] & 0xff;
    return (cmf & 0x0f) == 8 && ((cmf << 8) | flg) % 31 == 0;
  }

  private byte[] readCapped(InputStream in) throws IOException {
    byte[] out = new byte[Math.min(CHUNK, maxDecodedBytes + 1)];
    int size = 0;
    while (true) {
      if (size == out.length) {
        if (size > maxDecodedBytes) {
          throw tooLarge();
        }
        out = Arrays.copyOf(out, (int) Math.min((long) out.length * 2, (long) maxDecodedBytes + 1));
      }
      int read = in.read(out, size, out.length - size);
      if (read < 0) {
        break;
      }
      size += read;
      if (size > maxDecodedBytes) {
        throw tooLarge();
      }
    }
    return size == out.length ? out : Arrays.copyOf(out, size);
  }

  private GatewayException tooLarge() {
    return new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
        "The decoded body exceeds the limit of " + maxDecodedBytes + " bytes");
  }
}
