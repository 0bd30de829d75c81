package io.syncgateway.persistence.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets or access rules: readable by their owner only, from the moment they exist. */
final class OwnerOnlyFiles {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyFiles.class);

  private OwnerOnlyFiles() {
  }

  /** A new empty file with permissions 600 (replacing any file of that name). */
  static Path create(Path file) throws IOException {
    Files.deleteIfExists(file);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      // Set at creation, so there is no moment when the file is readable by others.
      return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.createFile(file);
    boolean restricted = file.toFile().setReadable(false, false) && file.toFile().setReadable(true, true)
        && file.toFile().setWritable(false, false) && file.toFile().setWritable(true, true);
    LOG.warn("The file system of {} has no POSIX permissions; {} restrict it to its owner: check its access control"
        + " list by hand", file, restricted ? "tried to" : "could not");
    return file;
  }

  /**
   * Replaces {@code file} with {@code text} atomically: a crash or a concurrent reader sees the old content or the
   * new, never a truncated one (a half-written password or an empty pg_hba.conf would lock the gateway out).
   */
  static void writeAtomically(Path file, String text) throws IOException {
    Path partial = create(file.resolveSibling(file.getFileName() + ".partial"));
    Files.writeString(partial, text, StandardCharsets.UTF_8);
    try {
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
