package io.syncgateway.persistence.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The embedded server's {@code pg_hba.conf}: who may connect, and how they prove it. */
final class ClientAuthentication {

  static final String FILE_NAME = "pg_hba.conf";

  private static final String HEADER = "# Written by sync-gateway: every connection must give the superuser password"
      + " (see docs/security.md).\n";

  private ClientAuthentication() {
  }

  /** Every connection, local socket or TCP, must give a password, checked with SCRAM-SHA-256. */
  static void requirePassword(Path dataDir) {
    write(dataDir, "scram-sha-256");
  }

  /**
   * Trust on localhost, for the moment it takes to give the superuser a password the gateway knows: a cluster from
   * before passwords, or one whose password file was deleted to rotate the password.
   */
  static void trustLocalhost(Path dataDir) {
    write(dataDir, "trust");
  }

  /** True if some line lets a client in without a password. */
  static boolean trustsAnyone(Path dataDir) {
    try {
      return Files.readAllLines(dataDir.resolve(FILE_NAME), StandardCharsets.UTF_8).stream()
          .map(line -> line.replaceFirst("#.*", "").strip())
          .filter(line -> !line.isEmpty())
          .anyMatch(line -> List.of(line.split("\\s+")).contains("trust"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + dataDir.resolve(FILE_NAME), e);
    }
  }

  private static void write(Path dataDir, String method) {
    String rules = HEADER
        + "local   all          all                  " + method + "\n"
        + "host    all          all   127.0.0.1/32   " + method + "\n"
        + "host    all          all   ::1/128        " + method + "\n"
        + "local   replication  all                  " + method + "\n"
        + "host    replication  all   127.0.0.1/32   " + method + "\n"
        + "host    replication  all   ::1/128        " + method + "\n";
    Path file = dataDir.resolve(FILE_NAME);
    try {
      OwnerOnlyFiles.writeAtomically(file, rules);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
