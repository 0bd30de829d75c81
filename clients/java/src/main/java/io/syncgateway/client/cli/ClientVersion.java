package io.syncgateway.client.cli;

/** The client's version: the jar manifest's {@code Implementation-Version}, or "dev" outside a jar. */
final class ClientVersion {
  private ClientVersion() {}

  static String get() {
    String version = ClientVersion.class.getPackage().getImplementationVersion();
    return version == null || version.isBlank() ? "dev" : version;
  }
}
