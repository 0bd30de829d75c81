package io.syncgateway.client.sync;

import io.syncgateway.client.store.LocalEntity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * Fetches the gateway's current state of one entity (PROTOCOL §5): a task by {@code GET
 * /api/tasks/{id}}, a comment from its task's comments. Empty when the server has none (404).
 * Attachments have no such endpoint: only one the server never acknowledged can be looked up
 * (it has none).
 */
public final class ServerCopies {
  private final GatewayApi api;

  public ServerCopies(GatewayApi api) {
    this.api = api;
  }

  public Future<Optional<JsonObject>> of(LocalEntity local) {
    Future<Optional<JsonObject>> fetched = switch (local.type()) {
      case TASK -> api.get("/api/tasks/" + local.id()).map(answer -> Optional.of(answer.body()));
      case COMMENT -> api.get("/api/tasks/" + local.fields().getString("taskId") + "/comments")
          .map(answer -> comment(answer.body().getJsonArray("comments", new JsonArray()), local.id()));
      case ATTACHMENT -> neverAcknowledged(local) ? Future.succeededFuture(Optional.empty())
          : Future.failedFuture(new IllegalArgumentException(
              "the gateway has no endpoint to fetch attachment " + local.id() + "; sync to get its state"));
    };
    return fetched.recover(error -> error instanceof GatewayError gateway && gateway.status() == 404
        ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(error));
  }

  private static Optional<JsonObject> comment(JsonArray comments, String id) {
    for (int i = 0; i < comments.size(); i++) {
      if (id.equals(comments.getJsonObject(i).getString("id"))) {
        return Optional.of(comments.getJsonObject(i));
      }
    }
    return Optional.empty();
  }

  private static boolean neverAcknowledged(LocalEntity local) {
    return local.base() == null && (local.serverMeta() == null || local.serverMeta().isEmpty());
  }
}
