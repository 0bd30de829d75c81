package io.syncgateway.bus;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The closed list of problem codes of the wire contract, each with its HTTP status. */
public enum ErrorCode {
  INVALID_REQUEST(400, "invalid_request", "Invalid request"),
  INVALID_CURSOR(400, "invalid_cursor", "Invalid cursor"),
  UNKNOWN_ENTITY_TYPE(400, "unknown_entity_type", "Unknown entity type"),
  BAD_ENCODING(400, "bad_encoding", "Bad content encoding"),
  UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
  FORBIDDEN(403, "forbidden", "Forbidden"),
  DEVICE_OWNED_BY_OTHER_USER(403, "device_owned_by_other_user", "Device owned by another user"),
  NOT_FOUND(404, "not_found", "Not found"),
  METHOD_NOT_ALLOWED(405, "method_not_allowed", "Method not allowed"),
  RESYNC_REQUIRED(410, "resync_required", "Resync required"),
  PAYLOAD_TOO_LARGE(413, "payload_too_large", "Payload too large"),
  TOO_MANY_ITEMS(413, "too_many_items", "Too many items"),
  UNSUPPORTED_ENCODING(415, "unsupported_encoding", "Unsupported content encoding"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", "Unsupported media type"),
  INTERNAL(500, "internal", "Internal server error"),
  UNAVAILABLE(503, "unavailable", "Service unavailable"),
  OVERLOADED(503, "overloaded", "Overloaded"),
  /**
   * Internal, never on the wire: a push's decision was made on a state that another push changed
   * before the commit. The conflict stage decides again; persistence applied nothing.
   */
  STALE(409, "stale", "Stale decision");

  private static final Map<String, ErrorCode> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(ErrorCode::wire, Function.identity()));

  private final int status;
  private final String wire;
  private final String title;

  ErrorCode(int status, String wire, String title) {
    this.status = status;
    this.wire = wire;
    this.title = title;
  }

  public int status() {
    return status;
  }

  /** The code as it appears on the wire, e.g. {@code invalid_request}. */
  public String wire() {
    return wire;
  }

  public String title() {
    return title;
  }

  public static ErrorCode fromWire(String wire) {
    return BY_WIRE.get(wire);
  }
}
