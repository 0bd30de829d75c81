package io.syncgateway.decode;

import static io.syncgateway.testsupport.Encodings.gzip;
import static io.syncgateway.testsupport.Encodings.deflate;
import static io.syncgateway.testsupport.Encodings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Content-Encoding handling of PROTOCOL.md §3: gzip, deflate, identity, and the decoded-size limit. */
@DisplayName("PayloadDecoder")
class PayloadDecoderTest {
  private static final int LIMIT = 1024 * 1024;
  private static final byte[] JSON = "{\"deviceId\":\"dev-a\",\"changes\":{}}".getBytes(StandardCharsets.UTF_8);

  private final PayloadDecoder decoder = new PayloadDecoder(LIMIT);

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  private ErrorCode failure(PayloadDecoder decoder, byte[] body, String encoding) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> decoder.decode(body, encoding));
    assertThat(e).as("a GatewayException").isNotNull();
    return e.code();
  }

  private ErrorCode failure(byte[] body, String encoding) {
    return failure(decoder, body, encoding);
  }

  @Nested
  @DisplayName("decodes")
  class Decodes {

    @Test
    @DisplayName("identity: the body as it is")
    void identity() {
      assertThat(decoder.decode(JSON, "identity")).isEqualTo(JSON);
    }

    @Test
    @DisplayName("no Content-Encoding (null or blank) as identity")
    void absentEncoding() {
      assertThat(decoder.decode(JSON, null)).isEqualTo(JSON);
      assertThat(decoder.decode(JSON, "  ")).isEqualTo(JSON);
    }

    @Test
    @DisplayName("gzip")
    void gzipBody() {
      assertThat(decoder.decode(gzip(JSON), "gzip")).isEqualTo(JSON);
    }

    @Test
    @DisplayName("gzip named case-insensitively or as x-gzip")
    void gzipAliases() {
      assertThat(decoder.decode(gzip(JSON), "GZip")).isEqualTo(JSON);
      assertThat(decoder.decode(gzip(JSON), "x-gzip")).isEqualTo(JSON);
      assertThat(decoder.decode(gzip(JSON), " gzip ")).isEqualTo(JSON);
    }

    @Test
    @DisplayName("gzip of a body larger than one read buffer")
    void gzipLargeBody() {
      byte[] data = randomBytes(300_000);
      assertThat(decoder.decode(gzip(data), "gzip")).isEqualTo(data);
    }

    @Test
    @DisplayName("gzip with several members (RFC 1952) as their concatenation")
    void gzipMultiMember() {
      byte[] first = gzip(utf8("{\"a\":"));
      byte[] second = gzip(utf8("1}"));
      byte[] body = Arrays.copyOf(first, first.length + second.length);
      System.arraycopy(second, 0, body, first.length, second.length);
      assertThat(decoder.decode(body, "gzip")).isEqualTo(utf8("{\"a\":1}"));
    }

    @Test
    @DisplayName("deflate in its HTTP (zlib-wrapped, RFC 1950) form")
    void deflateZlib() {
      assertThat(decoder.decode(deflate(JSON, false), "deflate")).isEqualTo(JSON);
    }

    @Test
    @DisplayName("deflate sent raw (RFC 1951), as many clients do")
    void deflateRaw() {
      assertThat(decoder.decode(deflate(JSON, true), "deflate")).isEqualTo(JSON);
    }

    @Test
    @DisplayName("raw deflate of a large body")
    void deflateRawLarge() {
      byte[] data = randomBytes(200_000);
      assertThat(decoder.decode(deflate(data, true), "deflate")).isEqualTo(data);
    }

    @Test
    @DisplayName("a gzip body that decodes to exactly the limit")
    void gzipExactlyAtLimit() {
      byte[] data = new byte[LIMIT];
      assertThat(decoder.decode(gzip(data), "gzip")).hasSize(LIMIT);
    }

    @Test
    @DisplayName("an identity body of exactly the limit")
    void identityExactlyAtLimit() {
      assertThat(new PayloadDecoder(JSON.length).decode(JSON, "identity")).isEqualTo(JSON);
    }
  }

  @Nested
  @DisplayName("bad_encoding for")
  class BadEncoding {

    @Test
    @DisplayName("a truncated gzip body")
    void truncatedGzip() {
      byte[] body = gzip(randomBytes(10_000));
      assertThat(failure(Arrays.copyOf(body, body.length / 2), "gzip")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("a gzip body missing its trailer")
    void gzipWithoutTrailer() {
      byte[] body = gzip(JSON);
      assertThat(failure(Arrays.copyOf(body, body.length - 8), "gzip")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("a gzip body whose CRC does not match")
    void gzipBadCrc() {
      byte[] body = gzip(JSON);
      body[body.length - 8] ^= 0x55;
      assertThat(failure(body, "gzip")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("plain JSON declared as gzip")
    void plainAsGzip() {
      assertThat(failure(JSON, "gzip")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("an empty body declared as gzip")
    void emptyGzip() {
      assertThat(failure(new byte[0], "gzip")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("a truncated zlib-wrapped deflate body")
    void truncatedZlib() {
      byte[] body = deflate(randomBytes(10_000), false);
      assertThat(failure(Arrays.copyOf(body, body.length / 2), "deflate")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("a truncated raw deflate body")
    void truncatedRawDeflate() {
      byte[] body = deflate(randomBytes(10_000), true);
      assertThat(failure(Arrays.copyOf(body, body.length / 2), "deflate")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("a zlib body whose Adler-32 does not match")
    void zlibBadAdler() {
      byte[] body = deflate(JSON, false);
      body[body.length - 1] ^= 0x55;
      assertThat(failure(body, "deflate")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("garbage declared as deflate")
    void garbageDeflate() {
      byte[] garbage = new byte[64];
      Arrays.fill(garbage, (byte) 0xff);
      assertThat(failure(garbage, "deflate")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("a gzip body followed by trailing garbage")
    void gzipTrailingGarbage() {
      byte[] body = gzip(JSON);
      byte[] withGarbage = Arrays.copyOf(body, body.length + 5);
      Arrays.fill(withGarbage, body.length, withGarbage.length, (byte) 'x');
      assertThat(failure(withGarbage, "gzip")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("a deflate body followed by trailing garbage")
    void deflateTrailingGarbage() {
      byte[] body = deflate(JSON, false);
      byte[] withGarbage = Arrays.copyOf(body, body.length + 5);
      Arrays.fill(withGarbage, body.length, withGarbage.length, (byte) 'x');
      assertThat(failure(withGarbage, "deflate")).isEqualTo(ErrorCode.BAD_ENCODING);
    }

    @Test
    @DisplayName("plain JSON declared as deflate")
    void plainAsDeflate() {
      assertThat(failure(JSON, "deflate")).isEqualTo(ErrorCode.BAD_ENCODING);
    }
  }

  @Nested
  @DisplayName("payload_too_large for")
  class TooLarge {

    @Test
    @DisplayName("an identity body one byte over the limit")
    void identityOverLimit() {
      assertThat(failure(new PayloadDecoder(JSON.length - 1), JSON, "identity"))
          .isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    }

    @Test
    @DisplayName("a gzip body that decodes to one byte over the limit")
    void gzipOneOver() {
      assertThat(failure(gzip(new byte[LIMIT + 1]), "gzip")).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    }

    @Test
    @DisplayName("a deflate body that decodes over the limit (zlib and raw)")
    void deflateOver() {
      assertThat(failure(deflate(new byte[LIMIT + 1], false), "deflate")).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
      assertThat(failure(deflate(new byte[LIMIT + 1], true), "deflate")).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    }
  }

  @Nested
  @DisplayName("a gzip bomb (200 MB of zeros)")
  class GzipBomb {
    private static final long BOMB_SIZE = 200L * 1024 * 1024;
    private static byte[] bomb;

    @BeforeAll
    static void buildBomb() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] zeros = new byte[1024 * 1024];
      try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
        for (long written = 0; written < BOMB_SIZE; written += zeros.length) {
          gz.write(zeros);
        }
      }
      bomb = out.toByteArray();
    }

    @Test
    @DisplayName("is small on the wire")
    void bombIsSmall() {
      assertThat(bomb.length).isLessThan(1024 * 1024);
    }

    @Test
    @DisplayName("is refused payload_too_large at the default 16 MiB limit")
    void refusedAtDefaultLimit() {
      long start = System.nanoTime();
      assertThat(failure(new PayloadDecoder(16 * 1024 * 1024), bomb, "gzip")).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
      long millis = (System.nanoTime() - start) / 1_000_000;
      // Informational only: inflating all 200 MB would take several times longer.
      System.out.println("gzip bomb refused after " + millis + " ms");
    }

    @Test
    @DisplayName("is refused without allocating anywhere near its decoded size")
    void refusedWithBoundedAllocation() {
      java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
      assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter available");
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
      assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
      long thread = Thread.currentThread().getId();

      long before = threads.getThreadAllocatedBytes(thread);
      ErrorCode code = failure(bomb, "gzip");
      long allocated = threads.getThreadAllocatedBytes(thread) - before;

      assertThat(code).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
      // The output buffer grows by doubling up to limit + 1, so about 2 × LIMIT in total is expected;
      // inflating the whole bomb would allocate at least 200 MB.
      assertThat(allocated).as("bytes allocated while decoding a 200 MB bomb with a 1 MiB limit")
          .isLessThan(4L * LIMIT);
    }
  }

  @Nested
  @DisplayName("unsupported encodings")
  class Unsupported {

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"br", "compress", "zstd", "gzip, deflate", "deflate;q=1", "x-deflate"})
    @DisplayName("are refused unsupported_encoding")
    void refused(String encoding) {
      assertThat(failure(JSON, encoding)).isEqualTo(ErrorCode.UNSUPPORTED_ENCODING);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"br", "compress", "zstd", "gzip, deflate"})
    @DisplayName("are reported unsupported to the edge")
    void notSupported(String encoding) {
      assertThat(PayloadDecoder.isSupported(encoding)).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"gzip", "x-gzip", "deflate", "identity", "GZIP", ""})
    @DisplayName("the supported ones are reported supported")
    void supported(String encoding) {
      assertThat(PayloadDecoder.isSupported(encoding)).isTrue();
    }

    @Test
    @DisplayName("a missing Content-Encoding is supported (identity)")
    void nullSupported() {
      assertThat(PayloadDecoder.isSupported(null)).isTrue();
      assertThat(PayloadDecoder.normalize(null)).isEqualTo("identity");
      assertThat(PayloadDecoder.normalize("X-GZIP")).isEqualTo("gzip");
    }
  }
}
