package io.syncgateway.contract;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.json.JsonObject;

/** A real response of the gateway, as the OpenAPI check reads it: status, headers, body. */
record Answer(int status, MultiMap headers, Buffer body) {
  static Answer of(HttpResponse<Buffer> response) {
    return new Answer(response.statusCode(), response.headers(), response.body() == null ? Buffer.buffer() : response.body());
  }

  /** The problem code of a problem answer (null for any other answer). */
  String code() {
    try {
      return new JsonObject(body).getString("code");
    } catch (RuntimeException notAProblem) {
      return null;
    }
  }

  @Override
  public String toString() {
    return status + " " + headers.get("Content-Type") + " " + body;
  }
}
