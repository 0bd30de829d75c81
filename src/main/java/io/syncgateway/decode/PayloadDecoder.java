package io.syncgateway.decode;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.memory.MemoryMeter;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Undoes a request's Content-Encoding while counting: inflation stops as soon as the decoded size
 * passes the limit, so a compression bomb never makes the gateway hold more than the limit. Strict:
 * a truncated stream, a bad checksum or bytes after the end are {@code bad_encoding}.
 */
public final class PayloadDecoder {
  private static final int GZIP_MAGIC_1 = 0x1f;
  private static final int GZIP_MAGIC_2 = 0x8b;
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

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
      case "deflate":
        return name;
      case "x-gzip":
        return "gzip";
      default:
        return null;
    }
  }

  public byte[] decode(byte[] body, String encoding) {
    return decode(body, encoding, MemoryMeter.unlimited());
  }

  /**
   * Decodes {@code body}, charging {@code meter} for the output buffers as they grow (so a body
   * stops inflating, 503 overloaded, as soon as the memory budget cannot cover it). The identity
   * coding returns {@code body} itself and charges nothing.
   */
  public byte[] decode(byte[] body, String encoding, MemoryMeter meter) {
    String coding = normalize(encoding);
    if (coding == null) {
      throw new GatewayException(ErrorCode.UNSUPPORTED_ENCODING, "Content-Encoding '" + encoding + "' is not supported");
    }
    try {
      switch (coding) {
        case "gzip":
          return gunzip(body, new CappedOutput(meter));
        case "deflate":
          return inflateDeflate(body, new CappedOutput(meter));
        default:
          if (body.length > maxDecodedBytes) {
            throw tooLarge();
          }
          return body;
      }
    } catch (DataFormatException | ArrayIndexOutOfBoundsException e) {
      throw badEncoding(coding);
    }
  }

  /** One or more gzip members (RFC 1952), each with a valid header, CRC-32 and size trailer. */
  private byte[] gunzip(byte[] body, CappedOutput out) throws DataFormatException {
    int position = 0;
    do {
      position = skipGzipHeader(body, position);
      int memberStart = out.size;
      Inflater inflater = new Inflater(true);
      try {
        inflater.setInput(body, position, body.length - position);
        inflateAll(inflater, out, "gzip");
        position = body.length - inflater.getRemaining();
      } finally {
        inflater.end();
      }
      if (position + 8 > body.length) {
        throw badEncoding("gzip");
      }
      CRC32 crc = new CRC32();
      crc.update(out.bytes, memberStart, out.size - memberStart);
      if ((int) crc.getValue() != littleEndianInt(body, position)
          || (out.size - memberStart) != littleEndianInt(body, position + 4)) {
        throw badEncoding("gzip");
      }
      position += 8;
    } while (position < body.length);
    return out.toArray();
  }

  /** HTTP "deflate" is zlib-wrapped (RFC 1950), but many clients send raw deflate (RFC 1951). */
  private byte[] inflateDeflate(byte[] body, CappedOutput out) throws DataFormatException {
    Inflater inflater = new Inflater(!looksLikeZlib(body));
    try {
      inflater.setInput(body);
      inflateAll(inflater, out, "deflate");
      if (inflater.getRemaining() > 0) {
        throw badEncoding("deflate");
      }
    } finally {
      inflater.end();
    }
    return out.toArray();
  }

  private void inflateAll(Inflater inflater, CappedOutput out, String coding) throws DataFormatException {
    while (!inflater.finished()) {
      out.ensureRoom();
      int produced = inflater.inflate(out.bytes, out.size, out.bytes.length - out.size);
      out.size += produced;
      if (produced == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
        throw badEncoding(coding); // truncated, or a dictionary we were never given
      }
    }
  }

  private static int skipGzipHeader(byte[] body, int start) {
    if (body.length - start < 10 || (body[start] & 0xff) != GZIP_MAGIC_1 || (body[start + 1] & 0xff) != GZIP_MAGIC_2
        || body[start + 2] != 8) {
      throw badEncoding("gzip");
    }
    int flags = body[start + 3] & 0xff;
    int position = start + 10;
    if ((flags & FEXTRA) != 0) {
      position += 2 + ((body[position] & 0xff) | (body[position + 1] & 0xff) << 8);
    }
    if ((flags & FNAME) != 0) {
      position = afterZero(body, position);
    }
    if ((flags & FCOMMENT) != 0) {
      position = afterZero(body, position);
    }
    if ((flags & FHCRC) != 0) {
      position += 2;
    }
    if (position > body.length) {
      throw badEncoding("gzip");
    }
    return position;
  }

  private static int afterZero(byte[] body, int position) {
    while (body[position] != 0) {
      position++;
    }
    return position + 1;
  }

  private static int littleEndianInt(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (bytes[at + 3] & 0xff) << 24;
  }

  private static boolean looksLikeZlib(byte[] body) {
    if (body.length < 2) {
      return true;
    }
    int cmf = body[0] & 0xff;
    int flg = body[1] & 0xff;
    return (cmf & 0x0f) == 8 && ((cmf << 8) | flg) % 31 == 0;
  }

  private static GatewayException badEncoding(String coding) {
    return new GatewayException(ErrorCode.BAD_ENCODING, "The body is not valid " + coding + " data");
  }

  private GatewayException tooLarge() {
    return new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
        "The decoded body exceeds the limit of " + maxDecodedBytes + " bytes");
  }

  /**
   * A growing buffer that refuses to grow past the decoded-size limit. The meter is charged for
   * every array before it is allocated and credited for the one it replaces, so it always counts
   * what the buffer holds.
   */
  private final class CappedOutput {
    private final MemoryMeter meter;
    byte[] bytes;
    int size;

    CappedOutput(MemoryMeter meter) {
      this.meter = meter;
      this.bytes = allocate(Math.min(64 * 1024, maxDecodedBytes + 1));
    }

    void ensureRoom() {
      if (size < bytes.length) {
        return;
      }
      if (size > maxDecodedBytes) {
        throw tooLarge();
      }
      bytes = replace(Arrays.copyOf(bytes, allocated((int) Math.min((long) bytes.length * 2, (long) maxDecodedBytes + 1))));
    }

    byte[] toArray() {
      if (size > maxDecodedBytes) {
        throw tooLarge();
      }
      return size == bytes.length ? bytes : replace(Arrays.copyOf(bytes, allocated(size)));
    }

    private byte[] allocate(int length) {
      return new byte[allocated(length)];
    }

    private int allocated(int length) {
      meter.charge(length);
      return length;
    }

    private byte[] replace(byte[] next) {
      meter.credit(bytes.length);
      return next;
    }
  }
}
