package io.syncgateway.entity;

import java.util.Locale;

/** What a pushed item does. Absent or null means update. */
public enum Operation {
  CREATE, UPDATE, DELETE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The operation named on the wire, or null when the name is unknown. */
  public static Operation fromWire(String name) {
    for (Operation operation : values()) {
      if (operation.wire().equals(name)) {
        return operation;
      }
    }
    return null;
  }
}
