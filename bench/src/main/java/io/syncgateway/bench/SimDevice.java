package io.syncgateway.bench;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import java.util.List;
import java.util.stream.IntStream;

/** A simulated device: its id, its user's principal and a token for that user. */
record SimDevice(String deviceId, Principal principal, String token) {

  /** {@code count} devices of organization {@code orgId}, one user each, ids {@code orgId-prefixN}. */
  static List<SimDevice> fleet(String orgId, String prefix, int count, TokenService tokens) {
    return IntStream.range(0, count).mapToObj(i -> {
      Principal principal = new Principal(prefix + "-user-" + i, orgId, Role.MEMBER);
      return new SimDevice(orgId + "-" + prefix + i, principal,
          tokens.issue(principal.userId(), orgId, Role.MEMBER, 24 * 3600));
    }).toList();
  }

  static SimDevice one(String orgId, String name, TokenService tokens) {
    return fleet(orgId, name, 1, tokens).get(0);
  }

  /** {@code count} devices, each in an organization of its own: {@code orgPrefix-0}, {@code orgPrefix-1} ... */
  static List<SimDevice> spread(String orgPrefix, String name, int count, TokenService tokens) {
    return IntStream.range(0, count).mapToObj(i -> one(orgPrefix + "-" + i, name, tokens)).toList();
  }
}
