package io.syncgateway.auth;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Who is calling: the user and organization come from the token, never from the request body.
 * {@code expiresAtMillis} is the token's {@code exp} (0 = none); it stays at the edge (not in JSON),
 * where a long-lived live-update stream must end when its token does. {@code scopes} are the
 * token's {@code scope} claim (space-separated words, as OAuth writes them): what a service token
 * may do beyond its role, e.g. {@value #CHANGE_BODIES} on the bridge.
 */
public record Principal(String userId, String orgId, Role role, long expiresAtMillis, Set<String> scopes) {
  /** A bridged service with this scope may read the change stream with entity bodies. */
  public static final String CHANGE_BODIES = "changes:bodies";

  public Principal {
    scopes = Set.copyOf(scopes);
  }

  public Principal(String userId, String orgId, Role role, long expiresAtMillis) {
    this(userId, orgId, role, expiresAtMillis, Set.of());
  }

  public Principal(String userId, String orgId, Role role) {
    this(userId, orgId, role, 0);
  }

  public boolean hasScope(String scope) {
    return scopes.contains(scope);
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
