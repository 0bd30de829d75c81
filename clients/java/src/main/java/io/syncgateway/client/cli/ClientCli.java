package io.syncgateway.client.cli;

import io.syncgateway.client.SyncClient;
import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.SyncResult;
import io.syncgateway.client.conflict.ConflictResolver;
import io.syncgateway.client.conflict.Resolvers;
import io.syncgateway.client.store.Conflict;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.SqliteLocalStore;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code client --url URL --token JWT [--store FILE] [--offline] COMMAND …}: a device on the
 * command line, with its own SQLite store, so two terminals can play two devices. Write commands
 * sync right after (unless {@code --offline}); {@code watch} stays connected and prints remote
 * changes as they arrive.
 */
public final class ClientCli {
  private static final Map<String, ConflictResolver> RESOLVERS = Map.of(
      "local", Resolvers.keepLocal(),
      "remote", Resolvers.keepRemote(),
      "merge", Resolvers.fieldMerge(Resolvers.keepLocal()),
      "lww", Resolvers.lastWriterWins());

  private final PrintStream out;
  private final SyncClient client;
  private final boolean offline;
  private final StopSignal stopSignal;

  private ClientCli(PrintStream out, SyncClient client, boolean offline, StopSignal stopSignal) {
    this.out = out;
    this.client = client;
    this.offline = offline;
    this.stopSignal = stopSignal;
  }

  public static String usage() {
    return String.join("\n",
        "usage: java -jar target/sync-gateway.jar client --url URL --token JWT [--store FILE] [--offline] COMMAND",
        "commands:",
        "  add-task TITLE                 create a task",
        "  comment TASK TEXT              add a comment to a task",
        "  edit ID field=value …          change fields of a task or comment (value may be JSON)",
        "  delete ID                      delete a task (its comments go with it) or a comment",
        "  list                           tasks and comments in the local store",
        "  sync                           push local changes, pull remote ones",
        "  watch                          stay connected, print remote changes as they arrive (Ctrl-C stops)",
        "  conflicts                      open conflicts, both versions",
        "  resolve ID local|remote|merge|lww   settle a conflict",
        "  failed                         changes the server refused",
        "  requeue SEQ                    retry a failed change",
        "IDs may be abbreviated to a unique prefix. The store defaults to ./sync-client.db.");
  }

  /** Runs one command; returns the process exit code. {@code watch} runs until Ctrl-C. */
  public static int run(List<String> args, PrintStream out) {
    return run(args, out, StopSignal.ctrlC());
  }

  /** Runs one command; {@code watch} runs until {@code stopSignal} is given. */
  public static int run(List<String> args, PrintStream out, StopSignal stopSignal) {
    if (args.isEmpty() || args.contains("--help") || args.get(0).equals("help")) {
      out.println(usage());
      return 0;
    }
    Map<String, String> options = new HashMap<>();
    List<String> command = new ArrayList<>();
    boolean offline = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--offline")) {
        offline = true;
      } else if (arg.startsWith("--") && command.isEmpty()) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(arg + " needs a value");
        }
        options.put(arg.substring(2), args.get(++i));
      } else {
        command.add(arg);
      }
    }
    if (command.isEmpty() || !options.containsKey("url") || !options.containsKey("token")) {
      throw new IllegalArgumentException("--url, --token and a command are required\n" + usage());
    }
    Vertx vertx = Vertx.vertx();
    try (SyncClient client = SyncClient.open(vertx,
        SqliteLocalStore.open(Path.of(options.getOrDefault("store", "sync-client.db"))),
        SyncClientOptions.of(options.get("url"), options.get("token"))).await()) {
      return new ClientCli(out, client, offline, stopSignal).execute(command);
    } finally {
      vertx.close().await();
      stopSignal.finished();
    }
  }

  private int execute(List<String> command) {
    String name = command.get(0);
    List<String> args = command.subList(1, command.size());
    switch (name) {
      case "add-task" -> {
        LocalEntity task = client.create(EntityType.TASK, new JsonObject().put("title", String.join(" ", args)))
            .await();
        out.println("created task " + task.id());
        syncAfterWrite();
      }
      case "comment" -> {
        LocalEntity task = find(EntityType.TASK, arg(args, 0));
        LocalEntity comment = client.create(EntityType.COMMENT, new JsonObject().put("taskId", task.id())
            .put("content", String.join(" ", args.subList(1, args.size())))).await();
        out.println("created comment " + comment.id());
        syncAfterWrite();
      }
      case "edit" -> {
        LocalEntity entity = findAny(arg(args, 0));
        client.update(entity.type(), entity.id(), assignments(args.subList(1, args.size()))).await();
        out.println("edited " + entity.type().singular() + " " + entity.id());
        syncAfterWrite();
      }
      case "delete" -> {
        LocalEntity entity = findAny(arg(args, 0));
        client.delete(entity.type(), entity.id()).await();
        out.println("deleted " + entity.type().singular() + " " + entity.id());
        syncAfterWrite();
      }
      case "list" -> list();
      case "sync" -> report(client.syncNow().await());
      case "watch" -> watch();
      case "conflicts" -> conflicts();
      case "resolve" -> {
        ConflictResolver resolver = RESOLVERS.get(arg(args, 1));
        if (resolver == null) {
          throw new IllegalArgumentException("resolve ID local|remote|merge|lww");
        }
        Conflict conflict = client.conflicts().await().stream().filter(c -> c.entityId().startsWith(arg(args, 0)))
            .findFirst().orElseThrow(() -> new IllegalArgumentException("no conflict on " + arg(args, 0)));
        LocalEntity resolved = client.resolve(conflict.type(), conflict.entityId(), resolver).await();
        out.println("resolved " + resolved.type().singular() + " " + resolved.id() + ": " + describe(resolved));
        syncAfterWrite();
      }
      case "failed" -> client.failedItems().await().forEach(item -> out.println(item.seq() + "  "
          + item.type().singular() + " " + item.entityId() + "  " + item.lastError()));
      case "requeue" -> {
        boolean requeued = client.requeue(Long.parseLong(arg(args, 0))).await();
        out.println(requeued ? "requeued" : "no failed item " + arg(args, 0));
        syncAfterWrite();
      }
      default -> throw new IllegalArgumentException("unknown command '" + name + "'\n" + usage());
    }
    return 0;
  }

  private void syncAfterWrite() {
    if (!offline) {
      report(client.syncNow().await());
    }
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
          + " (see: conflicts)");
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

  private void report(SyncResult result) {
    if (result.succeeded()) {
      out.printf("synced: pushed %d, pulled %d, new conflicts %d (%d ms)%n", result.pushed(), result.pulled(),
          result.conflicts(), result.durationMs());
    } else {
      out.println("sync failed: " + result.error() + " (changes stay queued)");
    }
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
          + "  " + conflict.local().clock().asMap());
      out.println("  remote: " + (conflict.remote().deleted() ? "(deleted)" : conflict.remote().fields().encode())
          + "  " + conflict.remote().clock().asMap());
    }
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
        throw new IllegalArgumentException("expected field=value, got '" + pair + "'");
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
      throw new IllegalArgumentException("missing argument\n" + usage());
    }
    return args.get(index);
  }
}
