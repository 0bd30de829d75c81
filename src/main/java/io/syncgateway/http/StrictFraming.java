package io.syncgateway.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.VertxConnection;

/**
 * Refuses a request that has both Transfer-Encoding and Content-Length (RFC 9112 §6.3): a proxy in
 * front that reads its length the other way would see another request boundary (request
 * smuggling). Netty's decoder silently drops Content-Length and reads chunks, so no route ever sees
 * both headers: the check has to sit in the decoder. Vert.x then hands the request to the server's
 * invalid-request handler instead of the router. Uses Vert.x internals (the decoder class and its
 * pipeline name); ProtocolHygieneTest fails if an upgrade breaks it.
 */
final class StrictFraming {
  private static final String DECODER = "httpDecoder";

  private StrictFraming() {}

  /** The failure a refused request carries in its decoder result. */
  static final class ConflictingFraming extends DecoderException {
    ConflictingFraming() {
      super("Transfer-Encoding and Content-Length together");
    }
  }

  private static final class Decoder extends VertxHttpRequestDecoder {
    Decoder(HttpServerOptions options) {
      super(options);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      message.setDecoderResult(DecoderResult.failure(new ConflictingFraming()));
    }
  }

  /** Replaces the connection's HTTP/1.x request decoder by the strict one, before it reads a byte. */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof VertxConnection internal) {
      ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
      if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder) {
        pipeline.replace(DECODER, DECODER, new Decoder(options));
      }
    }
  }

  static boolean refused(HttpServerRequest request) {
    return request.decoderResult().cause() instanceof ConflictingFraming;
  }
}
