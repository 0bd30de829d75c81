package io.syncgateway.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the contract, no token needed. The file
 * is {@code docs/openapi.json}, packed into the jar as the classpath resource {@value #RESOURCE}, and
 * read once per process: it cannot change while the gateway runs.
 */
final class OpenApiDocument implements Handler<RoutingContext> {
  static final String PATH = "/openapi.json";
  static final String RESOURCE = "openapi.json";

  private final Buffer document;

  private OpenApiDocument(Buffer document) {
    this.document = document;
  }

  /** Fails start-up when the resource is missing: a gateway that cannot describe itself is a broken build. */
  static OpenApiDocument fromClasspath() {
    return Holder.INSTANCE;
  }

  @Override
  public void handle(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(document);
  }

  /** Loaded on first use, once per process, whatever the number of HTTP verticle instances. */
  private static final class Holder {
    private static final OpenApiDocument INSTANCE = new OpenApiDocument(read());

    private static Buffer read() {
      try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("Classpath resource " + RESOURCE + " is missing (built from docs/openapi.json)");
        }
        return Buffer.buffer(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
