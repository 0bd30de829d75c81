package io.syncgateway.auth;

/** What a token's {@code role} claim allows. Lower-case and case-sensitive on the wire. */
public enum Role {
  MEMBER("member"),
  VIEWER("viewer"),
  ADMIN("admin");

  private final String claim;

  Role(String claim) {
    this.claim = claim;
  }

  public String claim() {
    return claim;
  }

  /** The role named by a claim; a missing role is {@code member}; an unknown one is null. */
  public static Role fromClaim(String claim) {
    if (claim == null) {
      return MEMBER;
    }
    for (Role role : values()) {
      if (role.claim.equals(claim)) {
        return role;
      }
    }
    return null;
  }
}
