package io.syncgateway.auth;

import io.vertx.core.json.JsonObject;

/**
 * Who is calling: the user and organization come from the token, never from the request body.
 * {@code expiresAtMillis} is the token's {@code exp} (0 = none); it stays at the edge (not in JSON),
 * where a long-lived live-update stream must end when its token does.
 */
public record Principal(String userId, String orgId, Role role, long expiresAtMillis) {

  public Principal(String userId, String orgId, Role role) {
    this(userId, orgId, role, 0);
  }

  public boolean canWrite() {
    return role != Role.VIEWER;
  }

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }

  public JsonObject toJson() {
    return new JsonObject().put("userId", userId).put("orgId", orgId).put("role", role.claim());
  }

  public static Principal fromJson(JsonObject json) {
    return new Principal(json.getString("userId"), json.getString("orgId"), Role.fromClaim(json.getString("role")));
  }
}
