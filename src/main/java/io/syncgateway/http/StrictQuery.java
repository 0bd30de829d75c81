package io.syncgateway.http;

import io.syncgateway.bus.GatewayException;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * A request's query, read strictly (PROTOCOL §4, v1.1): a parameter the endpoint does not know
 * (names are case-sensitive), or one given more than once, is 400 {@code invalid_request} naming it.
 * A misspelt or doubled parameter silently ignored would give the client another answer than the
 * one it asked for.
 */
final class StrictQuery {
  private static final int MAX_NAME_IN_DETAIL = 64;
  private final MultiMap params;

  private StrictQuery(MultiMap params) {
    this.params = params;
  }

  static StrictQuery of(RoutingContext rc, Set<String> known) {
    MultiMap params = rc.queryParams();
    for (String name : params.names()) {
      if (!known.contains(name)) {
        throw GatewayException.invalid("unknown query parameter '" + abbreviate(name) + "'; known: "
            + String.join(", ", known.stream().sorted().toList()));
      }
      if (params.getAll(name).size() > 1) {
        throw GatewayException.invalid("query parameter '" + name + "' is given more than once");
      }
    }
    return new StrictQuery(params);
  }

  /** The value as sent ("" when empty), or null when absent. */
  String raw(String name) {
    return params.get(name);
  }

  /** The value, or null when absent or empty: an empty value counts as absent (Appendix A, rule 9). */
  String value(String name) {
    String value = raw(name);
    return value == null || value.isEmpty() ? null : value;
  }

  private static String abbreviate(String name) {
    return name.length() > MAX_NAME_IN_DETAIL ? name.substring(0, MAX_NAME_IN_DETAIL) + "…" : name;
  }
}
