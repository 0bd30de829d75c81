package io.syncgateway.testsupport;

import io.syncgateway.wire.Gzip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Request bodies as clients encode them: gzip, zlib-wrapped or raw deflate, UTF-8. */
public final class Encodings {
  private Encodings() {
  }

  /** gzip as the SDK sends it. */
  public static byte[] gzip(byte[] data) {
    return Gzip.gzip(data);
  }

  /** zlib-wrapped deflate (RFC 1950), what HTTP's {@code deflate} names. */
  public static byte[] deflate(byte[] data) {
    return deflate(data, false);
  }

  /** Deflate; {@code raw} leaves out the zlib wrapper, as some clients wrongly send. */
  public static byte[] deflate(byte[] data, boolean raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, raw);
    try (OutputStream stream = new DeflaterOutputStream(out, deflater)) {
      stream.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deflater.end();
    }
    return out.toByteArray();
  }

  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
