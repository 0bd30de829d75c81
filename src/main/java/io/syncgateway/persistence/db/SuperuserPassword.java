package io.syncgateway.persistence.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The embedded server's superuser password: random, generated once, kept in {@value #FILE_NAME} inside the data
 * directory, readable by its owner only. Whoever can read the data directory can read the data anyway, so the
 * password adds no new secret to guard; it keeps other local users (and processes of other users that can reach
 * localhost) out.
 */
final class SuperuserPassword {

  static final String FILE_NAME = "postgres-password";

  private static final Logger LOG = LoggerFactory.getLogger(SuperuserPassword.class);
  /** 256 bits; base64url has no character that needs quoting in SQL, a URL or a pwfile. */
  private static final int RANDOM_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private SuperuserPassword() {
  }

  static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  static String generate() {
    byte[] bytes = new byte[RANDOM_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The stored password, if the file exists. */
  static Optional<String> read(Path dataDir) {
    Path file = file(dataDir);
    try {
      return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the PostgreSQL password file " + file, e);
    }
  }

  /** Stores {@code password} as the data directory's password file (see {@link OwnerOnlyFiles}). */
  static void store(Path dataDir, String password) {
    try {
      OwnerOnlyFiles.writeAtomically(file(dataDir), password + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the PostgreSQL password file " + file(dataDir), e);
    }
  }

  /** A temporary owner-only copy for initdb's {@code --pwfile}, outside the data directory (initdb wants it empty). */
  static Path temporaryPwfile(String password) throws IOException {
    Path directory = Files.createTempDirectory("sync-gateway-pwfile-");
    Path file = OwnerOnlyFiles.create(directory.resolve("pwfile"));
    Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
    return file;
  }

  static void deleteTemporaryPwfile(Path file) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.getParent());
    } catch (IOException e) {
      LOG.warn("Could not delete the temporary password file {}; delete it by hand", file, e);
    }
  }
}
