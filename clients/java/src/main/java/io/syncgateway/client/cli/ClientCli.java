package io.syncgateway.client.cli;

import io.syncgateway.client.SyncClient;
import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.SyncResult;
import io.syncgateway.client.conflict.ConflictResolver;
import io.syncgateway.client.conflict.Resolvers;
import io.syncgateway.client.store.Conflict;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.client.store.SqliteLocalStore;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code client --url URL --token JWT [--store FILE] [--offline] COMMAND …}: a device on the
 * command line, with its own SQLite store, so two terminals can play two devices. Write commands
 * sync right after (unless {@code --offline}); {@code watch} stays connected and prints remote
 * changes as they arrive. Options may also follow the command. Exit codes: 0 done, 1 failed (the
 * gateway refused the token or a change, could not be reached, an unknown id…), 2 bad command line.
 */
public final class ClientCli {
  private static final Map<String, ConflictResolver> RESOLVERS = Map.of(
      "local", Resolvers.keepLocal(),
      "remote", Resolvers.keepRemote(),
      "merge", Resolvers.fieldMerge(Resolvers.keepLocal()),
      "lww", Resolvers.lastWriterWins());

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private final PrintStream out;
  private final SyncClient client;
  private final boolean offline;
  private final StopSignal stopSignal;
  // Changes the gateway refused during this command's syncs, as ITEM_FAILED events.
  private final List<SyncEvent> refused = new CopyOnWriteArrayList<>();

  private ClientCli(PrintStream out, SyncClient client, boolean offline, StopSignal stopSignal) {
    this.out = out;
    this.client = client;
    this.offline = offline;
    this.stopSignal = stopSignal;
    client.onEvent(event -> {
      if (event.type() == SyncEvent.Type.ITEM_FAILED) {
        refused.add(event);
      }
    });
  }

  /** The entry point of the client's own jar. */
  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out));
  }

  public static String usage() {
    return String.join("\n",
        "usage: java -jar clients/java/target/sync-client-cli.jar --url URL --token JWT [--store FILE] [--offline] COMMAND   (options may follow the command)",
        "       java -jar clients/java/target/sync-client-cli.jar --version | --help",
        "commands:",
        "  add-task TITLE                 create a task",
        "  comment TASK TEXT              add a comment to a task",
        "  edit ID field=value …          change fields of a task or comment (value may be JSON)",
        "  delete ID                      delete a task (its comments go with it) or a comment",
        "  list                           tasks and comments in the local store",
        "  show ID                        one entity as JSON: fields, status, vector clock",
        "  sync                           push local changes, pull remote ones",
        "  watch                          stay connected, print remote changes as they arrive (Ctrl-C stops)",
        "  conflicts                      open conflicts, both versions",
        "  resolve ID local|remote|merge|lww   settle a conflict",
        "  failed                         changes the server refused, with the reason",
        "  retry ID                       send a refused change again (edit it first: edits amend it)",
        "  discard ID                     drop a refused change: back to the server's version (or removed)",
        "  requeue SEQ                    retry a failed change by its queue number",
        "IDs may be abbreviated to a unique prefix. The store defaults to ./sync-client.db.",
        "Exit status: 0 done, 1 failed (token refused, gateway unreachable, change refused, unknown id), 2 usage.");
  }

  /** Runs one command; returns the process exit code. {@code watch} runs until Ctrl-C. */
  public static int run(List<String> args, PrintStream out) {
    return run(args, out, System.err, StopSignal.ctrlC());
  }

  /** Runs one command; {@code watch} runs until {@code stopSignal} is given. */
  public static int run(List<String> args, PrintStream out, StopSignal stopSignal) {
    return run(args, out, System.err, stopSignal);
  }

  /** Runs one command, errors to {@code err}; {@code watch} runs until {@code stopSignal} is given. */
  public static int run(List<String> args, PrintStream out, PrintStream err, StopSignal stopSignal) {
    try {
      CliArguments parsed = CliArguments.parse(args);
      if (parsed.has("version")) {
        out.println("sync client " + ClientVersion.get());
        return OK;
      }
      if (parsed.has("help") || (!parsed.command().isEmpty() && parsed.command().get(0).equals("help"))) {
        out.println(usage());
        return OK;
      }
      if (parsed.command().isEmpty()) {
        throw new CliArguments.UsageError("a command is required");
      }
      return run(parsed, out, stopSignal);
    } catch (CliArguments.UsageError e) {
      err.println("error: " + e.getMessage());
      err.println(usage());
      return USAGE;
    } catch (RuntimeException e) {
      err.println("error: " + message(e));
      return FAILED;
    }
  }

  private static int run(CliArguments parsed, PrintStream out, StopSignal stopSignal) {
    SyncClientOptions options = SyncClientOptions.of(parsed.required("url"), parsed.required("token"));
    Path store = Path.of(parsed.options().getOrDefault("store", "sync-client.db"));
    Vertx vertx = Vertx.vertx();
    try (SyncClient client = SyncClient.open(vertx, SqliteLocalStore.open(store), options).await()) {
      return new ClientCli(out, client, parsed.has("offline"), stopSignal).execute(parsed.command());
    } finally {
      vertx.close().await();
      stopSignal.finished();
    }
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private int execute(List<String> command) {
    String name = command.get(0);
    List<String> args = command.subList(1, command.size());
    switch (name) {
      case "add-task" -> {
        LocalEntity task = client.create(EntityType.TASK, new JsonObject().put("title", String.join(" ", args)))
            .await();
        out.println("created task " + task.id());
        return syncAfterWrite();
      }
      case "comment" -> {
        LocalEntity task = find(EntityType.TASK, arg(args, 0));
        LocalEntity comment = client.create(EntityType.COMMENT, new JsonObject().put("taskId", task.id())
            .put("content", String.join(" ", args.subList(1, args.size())))).await();
        out.println("created comment " + comment.id());
        return syncAfterWrite();
      }
      case "edit" -> {
        LocalEntity entity = findAny(arg(args, 0));
        LocalEntity edited = client.update(entity.type(), entity.id(), assignments(args.subList(1, args.size())))
            .await();
        out.println("edited " + entity.type().singular() + " " + entity.id()
            + (edited.status() == EntityStatus.FAILED ? " (its refused change waits: retry or discard it)" : ""));
        return syncAfterWrite();
      }
      case "delete" -> {
        LocalEntity entity = findAny(arg(args, 0));
        client.delete(entity.type(), entity.id()).await();
        out.println("deleted " + entity.type().singular() + " " + entity.id());
        return syncAfterWrite();
      }
      case "list" -> list();
      case "show" -> out.println(asJson(findAny(arg(args, 0))).encodePrettily());
      case "sync" -> {
        return report(client.syncNow().await());
      }
      case "watch" -> watch();
      case "conflicts" -> conflicts();
      case "resolve" -> {
        ConflictResolver resolver = RESOLVERS.get(arg(args, 1));
        if (resolver == null) {
          throw new CliArguments.UsageError("resolve ID local|remote|merge|lww");
        }
        Conflict conflict = client.conflicts().await().stream().filter(c -> c.entityId().startsWith(arg(args, 0)))
            .findFirst().orElseThrow(() -> new IllegalArgumentException("no conflict on " + arg(args, 0)));
        LocalEntity resolved = client.resolve(conflict.type(), conflict.entityId(), resolver).await();
        out.println("resolved " + resolved.type().singular() + " " + resolved.id() + ": " + describe(resolved));
        return syncAfterWrite();
      }
      case "failed" -> failed();
      case "retry" -> {
        QueueItem item = findFailed(arg(args, 0));
        client.retry(item.type(), item.entityId()).await();
        out.println("retrying " + item.type().singular() + " " + item.entityId());
        return syncAfterWrite();
      }
      case "discard" -> {
        QueueItem item = findFailed(arg(args, 0));
        Optional<LocalEntity> restored = client.discard(item.type(), item.entityId()).await();
        out.println("discarded the refused change of " + item.type().singular() + " " + item.entityId() + ": "
            + restored.map(entity -> "back to the server's version " + describe(entity))
                .orElse("removed (the server has none)"));
      }
      case "requeue" -> {
        long seq = parseSeq(arg(args, 0));
        if (!client.requeue(seq).await()) {
          throw new IllegalArgumentException("no failed item " + seq);
        }
        out.println("requeued");
        return syncAfterWrite();
      }
      default -> throw new CliArguments.UsageError("unknown command '" + name + "'");
    }
    return OK;
  }

  private int syncAfterWrite() {
    return offline ? OK : report(client.syncNow().await());
  }

  /** Starts every trigger and the live-updates subscription, and prints what changes until stopped. */
  private void watch() {
    client.onEvent(this::printWatchEvent);
    client.onChange(this::printChanges);
    out.println("watching as device " + client.deviceId() + " (Ctrl-C stops)");
    client.start();
    stopSignal.await();
    client.stop();
  }

  private void printWatchEvent(SyncEvent event) {
    switch (event.type()) {
      case LIVE_CONNECTED -> out.println("live updates on");
      case LIVE_DISCONNECTED -> out.println("live updates interrupted: " + event.detail());
      case LIVE_UNAVAILABLE -> out.println("this gateway has no live updates: syncing every 30 s");
      case CONFLICT_ADDED -> out.println("conflict on " + event.entityType().singular() + " " + event.entityId()
          + ": local " + event.clock().toJson().encode() + ", remote " + event.remoteClock().toJson().encode()
          + " (see: conflicts)");
      case ITEM_FAILED -> out.println("refused " + event.entityType().singular() + " " + event.entityId() + ": "
          + event.detail() + " (see: failed)");
      case SYNC_FAILED -> out.println("sync failed: " + event.detail() + " (will retry)");
      default -> {
        // Cycle starts and successes would drown the changes.
      }
    }
  }

  /** One line per changed entity; runs on the client's event loop, so it reads without blocking. */
  private void printChanges(EntityType type, Set<String> ids) {
    for (String id : ids) {
      client.get(type, id).onSuccess(found -> out.println(found
          .map(entity -> "changed " + type.singular() + " " + id + "  " + summary(entity))
          .orElse("deleted " + type.singular() + " " + id)));
    }
  }

  private static String summary(LocalEntity entity) {
    return switch (entity.type()) {
      case TASK -> describe(entity);
      case COMMENT -> entity.fields().getString("content", "");
      case ATTACHMENT -> entity.fields().getString("filename", "");
    };
  }

  /** The cycle's summary and the changes the gateway refused in it; FAILED if either went wrong. */
  private int report(SyncResult result) {
    if (result.succeeded()) {
      out.printf("synced: pushed %d, pulled %d, new conflicts %d, refused %d (%d ms)%n", result.pushed(),
          result.pulled(), result.conflicts(), refused.size(), result.durationMs());
    } else {
      out.println("sync failed: " + result.error() + " (changes stay queued)");
    }
    for (SyncEvent event : refused) {
      out.println("  refused " + event.entityType().singular() + " " + event.entityId() + ": " + event.detail());
    }
    if (!refused.isEmpty()) {
      out.println("  (fix with: edit ID field=value, then retry ID; or give up with: discard ID)");
    }
    boolean clean = result.succeeded() && refused.isEmpty();
    refused.clear();
    return clean ? OK : FAILED;
  }

  private void list() {
    List<LocalEntity> comments = client.list(EntityType.COMMENT).await();
    for (LocalEntity task : client.list(EntityType.TASK).await()) {
      out.printf("%s  %-9s %s%n", task.id(), task.status(), describe(task));
      comments.stream().filter(c -> task.id().equals(c.fields().getString("taskId"))).forEach(c ->
          out.printf("    %s  %-9s %s%n", c.id(), c.status(), c.fields().getString("content")));
    }
    int pending = client.pendingItems().await().size();
    int failed = client.failedItems().await().size();
    int conflicts = client.conflicts().await().size();
    out.printf("device %s: %d pending, %d failed, %d conflicts%n", client.deviceId(), pending, failed, conflicts);
  }

  private void conflicts() {
    List<Conflict> open = client.conflicts().await();
    if (open.isEmpty()) {
      out.println("no conflicts");
    }
    for (Conflict conflict : open) {
      out.println(conflict.type().singular() + " " + conflict.entityId());
      out.println("  local : " + (conflict.local().deleted() ? "(deleted)" : conflict.local().fields().encode())
          + "  " + conflict.local().clock().toJson().encode());
      out.println("  remote: " + (conflict.remote().deleted() ? "(deleted)" : conflict.remote().fields().encode())
          + "  " + conflict.remote().clock().toJson().encode());
    }
  }

  private void failed() {
    List<QueueItem> failed = client.failedItems().await();
    if (failed.isEmpty()) {
      out.println("no refused changes");
    }
    failed.forEach(item -> out.println(item.seq() + "  " + item.type().singular() + " " + item.entityId() + "  "
        + item.lastError() + "  " + item.clock().toJson().encode()));
  }

  /** What {@code show} prints: the entity with its clock as JSON (never a Java rendering of it). */
  private static JsonObject asJson(LocalEntity entity) {
    return new JsonObject().put("type", entity.type().singular()).put("id", entity.id())
        .put("status", entity.status().name()).put("deleted", entity.deleted()).put("fields", entity.fields())
        .put("vectorClock", entity.clock().toJson());
  }

  private static String describe(LocalEntity entity) {
    JsonObject fields = entity.fields().copy();
    Object title = fields.remove("title");
    return (title == null ? "" : title + " ") + (fields.isEmpty() ? "" : fields.encode());
  }

  private LocalEntity findAny(String prefix) {
    List<LocalEntity> matches = new ArrayList<>();
    for (EntityType type : List.of(EntityType.TASK, EntityType.COMMENT, EntityType.ATTACHMENT)) {
      client.list(type).await().stream().filter(e -> e.id().startsWith(prefix)).forEach(matches::add);
    }
    return unique(prefix, matches);
  }

  /** The failed change of the entity whose id starts with {@code prefix}. */
  private QueueItem findFailed(String prefix) {
    List<QueueItem> matches = client.failedItems().await().stream()
        .filter(item -> item.entityId().startsWith(prefix)).toList();
    if (matches.size() != 1) {
      throw new IllegalArgumentException(matches.isEmpty() ? "no refused change matches " + prefix
          : prefix + " is ambiguous: " + matches.stream().map(QueueItem::entityId).toList());
    }
    return matches.get(0);
  }

  private static long parseSeq(String seq) {
    try {
      return Long.parseLong(seq);
    } catch (NumberFormatException e) {
      throw new CliArguments.UsageError("requeue SEQ needs a number (see: failed), got '" + seq + "'");
    }
  }

  private LocalEntity find(EntityType type, String prefix) {
    return unique(prefix, client.list(type).await().stream().filter(e -> e.id().startsWith(prefix)).toList());
  }

  private static LocalEntity unique(String prefix, List<LocalEntity> matches) {
    if (matches.size() != 1) {
      throw new IllegalArgumentException(matches.isEmpty() ? "nothing matches " + prefix
          : prefix + " is ambiguous: " + matches.stream().map(LocalEntity::id).toList());
    }
    return matches.get(0);
  }

  /** {@code field=value} pairs; a value that parses as JSON (number, array, null…) is taken as JSON. */
  private static JsonObject assignments(List<String> pairs) {
    JsonObject changes = new JsonObject();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CliArguments.UsageError("expected field=value, got '" + pair + "'");
      }
      String value = pair.substring(eq + 1);
      Object parsed;
      try {
        parsed = Json.decodeValue(value);
      } catch (DecodeException e) {
        parsed = value;
      }
      changes.put(pair.substring(0, eq), parsed);
    }
    return changes;
  }

  private static String arg(List<String> args, int index) {
    if (index >= args.size()) {
      throw new CliArguments.UsageError("missing argument");
    }
    return args.get(index);
  }
}
