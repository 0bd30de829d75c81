package io.syncgateway.architecture;

/** The project's packages by module, as docs/architecture.md ("Modules") lists them. */
final class Packages {
  static final String[] MODEL = {
      "io.syncgateway.clock..", "io.syncgateway.checksum..", "io.syncgateway.entity..", "io.syncgateway.wire.."};

  static final String[] SERVER = {
      "io.syncgateway", "io.syncgateway.admission..", "io.syncgateway.auth..", "io.syncgateway.batch..",
      "io.syncgateway.bus..", "io.syncgateway.config..", "io.syncgateway.conflict..", "io.syncgateway.decode..",
      "io.syncgateway.http..", "io.syncgateway.live..", "io.syncgateway.memory..", "io.syncgateway.metrics..",
      "io.syncgateway.persistence..", "io.syncgateway.bridge..", "io.syncgateway.cluster.."};

  private Packages() {}
}
