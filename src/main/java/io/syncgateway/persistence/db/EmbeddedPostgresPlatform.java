package io.syncgateway.persistence.db;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether this build carries embedded PostgreSQL binaries for an operating system and architecture.
 * The jar ships zonky's Linux x86-64 binaries only; elsewhere zonky would fail deep inside its
 * extraction with "Missing embedded postgres binaries", so the gateway checks first and names the
 * way out: an external database in {@code SYNC_PG_URL}.
 */
public final class EmbeddedPostgresPlatform {
  private EmbeddedPostgresPlatform() {}

  /**
   * The classpath resource zonky 2.x loads for {@code os.name}/{@code os.arch} (e.g.
   * {@code postgres-linux-x86_64.txz}), or empty for a system zonky does not support at all.
   */
  public static Optional<String> binaryResource(String osName, String osArch) {
    return system(osName).map(system -> "postgres-" + system + "-" + architecture(osArch) + ".txz");
  }

  /** Empty when binaries are on the classpath; otherwise the one-line problem for the operator. */
  public static Optional<String> missingBinaries(String osName, String osArch, ClassLoader classLoader) {
    Optional<String> resource = binaryResource(osName, osArch);
    if (resource.isPresent() && classLoader.getResource(resource.get()) != null) {
      return Optional.empty();
    }
    return Optional.of("this build has no embedded PostgreSQL for " + osName + " " + osArch + " (only Linux x86-64): "
        + "set SYNC_PG_URL to a PostgreSQL database, e.g. SYNC_PG_URL=postgresql://sync:secret@localhost:5432/sync");
  }

  /** {@link #missingBinaries(String, String, ClassLoader)} for the running JVM. */
  public static Optional<String> missingBinariesHere() {
    return missingBinaries(System.getProperty("os.name"), System.getProperty("os.arch"),
        EmbeddedPostgresPlatform.class.getClassLoader());
  }

  private static Optional<String> system(String osName) {
    String name = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
    if (name.startsWith("linux")) {
      return Optional.of("linux");
    }
    if (name.startsWith("mac") || name.startsWith("darwin")) {
      return Optional.of("darwin");
    }
    if (name.startsWith("windows")) {
      return Optional.of("windows");
    }
    return Optional.empty();
  }

  /** zonky's ArchUtils names for the architectures it publishes binaries for. */
  private static String architecture(String osArch) {
    String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
    if (arch.matches("x8664|amd64|ia32e|em64t|x64")) {
      return "x86_64";
    }
    if (arch.matches("(aarch64|armv8|arm64).*")) {
      return "arm_64";
    }
    if (arch.matches("(arm|arm32).*")) {
      return "arm_32";
    }
    if (arch.matches("x8632|x86|i[3-6]86|ia32|x32")) {
      return "x86_32";
    }
    return arch;
  }
}
