package io.syncgateway.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One TCP connection to the gateway written byte by byte, for what an HTTP client library will not
 * send: trickled heads and bodies, contradictory framing, raw control characters, HTTP/2 prefaces.
 */
final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  static RawConnection open(int port) {
    try {
      return new RawConnection(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A complete GET request that keeps the connection alive. */
  static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }

  /** Writes the text (ISO-8859-1: one byte per char, so any byte can be sent); false if the peer closed. */
  boolean send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  boolean send(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes one byte every {@code interval} until all are written or the peer closes the connection;
   * returns how many were written before it closed (all of them if it never did).
   */
  int trickle(String text, Duration interval) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i++) {
      if (!send(new byte[] {bytes[i]}) || closedWithin(interval)) {
        return i;
      }
    }
    return bytes.length;
  }

  /** The status code of the next response (its head and Content-Length body are consumed). */
  int readStatus(Duration timeout) {
    String head = readHead(timeout);
    if (!head.startsWith("HTTP/1.1 ")) {
      throw new AssertionError("not an HTTP/1.1 response: " + head);
    }
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    readBytes(length, timeout);
    return Integer.parseInt(head.substring(9, 12));
  }

  /** The bytes up to the blank line ending a response head; fails on end of stream or timeout. */
  String readHead(Duration timeout) {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int next = read(timeout);
      if (next < 0) {
        throw new AssertionError("connection closed after " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(next);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** Up to {@code count} bytes, fewer if the peer closes first. */
  byte[] readBytes(int count, Duration timeout) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    while (bytes.size() < count) {
      int next = read(timeout);
      if (next < 0) {
        break;
      }
      bytes.write(next);
    }
    return bytes.toByteArray();
  }

  /** Everything the peer sends until it closes or stays silent for {@code quiet}. */
  String readUntilQuiet(Duration quiet) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      socket.setSoTimeout((int) quiet.toMillis());
      for (int next = in.read(); next >= 0; next = in.read()) {
        bytes.write(next);
      }
    } catch (IOException e) {
      // silence (timeout) or reset: what arrived is the answer
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  /** True if the peer closes (or resets) the connection within {@code timeout}; bytes it sends are skipped. */
  boolean closedWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      try {
        socket.setSoTimeout((int) left);
        if (in.read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true; // reset
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
    }
  }

  private int read(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      return in.read();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within " + timeout, e);
    } catch (SocketException e) {
      return -1; // reset
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
