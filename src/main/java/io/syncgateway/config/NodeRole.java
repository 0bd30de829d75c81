package io.syncgateway.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which verticles a process deploys ({@code SYNC_ROLES}). One process runs them all by default; in a
 * clustered bus, edge nodes may run {@code http,decode} and database-side nodes
 * {@code conflict,persistence}: the stages find each other by address, wherever they run.
 */
public enum NodeRole {
  HTTP, DECODE, CONFLICT, PERSISTENCE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** A comma-separated list of role names; fails with a message for the operator on an unknown or empty one. */
  public static Set<NodeRole> parse(String list) {
    Set<NodeRole> roles = EnumSet.noneOf(NodeRole.class);
    for (String name : (list == null ? "" : list).split(",")) {
      String trimmed = name.trim().toLowerCase(Locale.ROOT);
      if (trimmed.isEmpty()) {
        continue;
      }
      try {
        roles.add(valueOf(trimmed.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Setting " + Setting.ROLES.key() + " (" + Setting.ROLES.env()
            + ") names an unknown role '" + trimmed + "': use http, decode, conflict, persistence");
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("Setting " + Setting.ROLES.key() + " (" + Setting.ROLES.env()
          + ") names no role: use any of http, decode, conflict, persistence");
    }
    return roles;
  }

  /** Conflict detection reads and persistence writes: only these need the database. */
  public static boolean needDatabase(Set<NodeRole> roles) {
    return roles.contains(CONFLICT) || roles.contains(PERSISTENCE);
  }
}
