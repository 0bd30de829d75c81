package io.syncgateway.http;

import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.syncgateway.checksum.Checksums;
import io.syncgateway.entity.EntityType;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two or three "devices" that behave like the design's client code (SYNC_STRATEGY.md): a sync queue
 * of {entityType, entityId, operation, priority, payload} items, SyncEngine.push() grouping them by
 * type into {deviceId, changes, vectorClock, timestamp} (gzip), SyncEngine.pull() with
 * since=lastSyncTime in milliseconds, and pullWithPagination() with offset 0, 100, 200, ...
 */
@DisplayName("Design client round trip: the original design's client code works unchanged against the gateway")
class DesignClientRoundTripTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("design_client");
  private String org;
  private DesignClient deviceA;
  private DesignClient deviceB;

  @BeforeEach
  void twoDevicesOfOneOrganization() {
    org = uniqueId("org");
    deviceA = new DesignClient("alice", org, uniqueId("device-a"));
    deviceB = new DesignClient("bob", org, uniqueId("device-b"));
  }

  @Test
  @DisplayName("a gzip design push of queue items creates the tasks; local-only fields are ignored, not stored")
  void designPushCreatesTasks() {
    deviceA.createTask("t1", "Write the spec");
    deviceA.createTask("t2", "Review the spec");

    JsonObject response = deviceA.push();

    assertThat(response.getBoolean("success")).isTrue();
    assertThat(response.getInteger("processed")).isEqualTo(2);
    assertThat(response.getJsonArray("conflicts")).isEmpty();
    assertThat(response.getJsonArray("superseded")).isEmpty();
    assertThat(response.getJsonArray("rejected")).isEmpty();
    assertThat(deviceA.syncQueue).isEmpty();
    JsonObject stored = gateway.getOk(deviceA.token, "/api/tasks/t1");
    assertThat(stored.getString("title")).isEqualTo("Write the spec");
    assertThat(stored.getString("status")).isEqualTo("todo");
    assertThat(stored.getJsonObject("vectorClock")).isEqualTo(new JsonObject().put(deviceA.deviceId, 1));
    assertThat(stored.getLong("version")).isEqualTo(1);
    assertThat(stored.getString("lastModifiedDevice")).isEqualTo(deviceA.deviceId);
    assertThat(stored.fieldNames()).noneMatch(name -> name.startsWith("_"));
    assertThat(stored.getString("checksum")).isEqualTo(Checksums.of(stored));
  }

  @Test
  @DisplayName("a design push retried after a lost response is acknowledged and writes nothing twice")
  void retriedDesignPushIsHarmless() {
    deviceA.createTask("t1", "Once");
    JsonObject payload = deviceA.pushPayload();
    gateway.pushOk(deviceA.token, payload);

    JsonObject retry = gateway.pushOk(deviceA.token, payload);

    assertThat(retry.getInteger("processed")).isEqualTo(1);
    assertThat(retry.getJsonArray("conflicts")).isEmpty();
    assertThat(gateway.getOk(deviceA.token, "/api/tasks/t1").getLong("version")).isEqualTo(1);
  }

  @Test
  @DisplayName("B's first pull (since=0) receives A's tasks; B records lastSyncTime in ms")
  void firstPullReceivesEverything() {
    deviceA.createTask("t1", "One");
    deviceA.createTask("t2", "Two");
    deviceA.sync();

    JsonObject page = deviceB.pull();

    assertThat(page.getBoolean("hasMore")).isFalse();
    assertThat(deviceB.tasks.keySet()).containsExactlyInAnyOrder("t1", "t2");
    assertThat(deviceB.lastSyncTime).isCloseTo(System.currentTimeMillis(), within(10_000L));
    assertThat(deviceB.tasks.get("t1").getString("checksum")).isEqualTo(Checksums.of(deviceB.tasks.get("t1")));
  }

  @Test
  @DisplayName("a pull with since=lastSyncTime receives a change made after the previous pull")
  void pullSinceLastSyncTimeReceivesNewerChanges() {
    deviceA.createTask("t1", "One");
    deviceA.sync();
    deviceB.sync();
    deviceA.createTask("t2", "Two");
    deviceA.sync();

    JsonObject page = deviceB.pull();

    assertThat(ids(page.getJsonArray("tasks"))).contains("t2");
    assertThat(deviceB.tasks.keySet()).containsExactlyInAnyOrder("t1", "t2");
  }

  @Test
  @DisplayName("a device's own writes are not echoed back to it by its since=lastSyncTime pull")
  void ownWritesAreNotEchoed() {
    deviceA.createTask("t1", "Mine");
    deviceA.push();

    JsonObject page = deviceA.pull();

    assertThat(page.getJsonArray("tasks")).isEmpty();
  }

  @Test
  @DisplayName("B's edit (its own clock entry incremented over A's) is applied and reaches A's since=lastSyncTime pull")
  void editByBReachesA() {
    deviceA.createTask("t1", "Draft");
    deviceA.sync();
    deviceB.sync();

    deviceB.updateTask("t1", new JsonObject().put("title", "Final"));
    JsonObject pushed = deviceB.push();
    deviceA.pull();

    assertThat(pushed.getInteger("processed")).isEqualTo(1);
    JsonObject atA = deviceA.tasks.get("t1");
    assertThat(atA.getString("title")).isEqualTo("Final");
    assertThat(atA.getJsonObject("vectorClock"))
        .isEqualTo(new JsonObject().put(deviceA.deviceId, 1).put(deviceB.deviceId, 1));
    assertThat(atA.getString("lastModifiedDevice")).isEqualTo(deviceB.deviceId);
    assertThat(atA.getLong("version")).isEqualTo(2);
  }

  @Test
  @DisplayName("concurrent edits of one task: the second pusher gets a conflict carrying the server's version")
  void concurrentEditsConflictForTheSecondPusher() {
    deviceA.createTask("t1", "Base");
    deviceA.sync();
    deviceB.sync();
    deviceA.updateTask("t1", new JsonObject().put("status", "doing"));
    deviceB.updateTask("t1", new JsonObject().put("title", "Renamed by B"));

    JsonObject first = deviceA.push();
    JsonObject second = deviceB.push();

    assertThat(first.getInteger("processed")).isEqualTo(1);
    assertThat(second.getInteger("processed")).isZero();
    assertThat(second.getJsonArray("conflicts")).hasSize(1);
    JsonObject conflict = second.getJsonArray("conflicts").getJsonObject(0);
    assertThat(conflict.getString("entityType")).isEqualTo("task");
    assertThat(conflict.getString("entityId")).isEqualTo("t1");
    JsonObject serverVersion = conflict.getJsonObject("serverVersion");
    assertThat(serverVersion.getString("status")).isEqualTo("doing");
    assertThat(serverVersion.getString("title")).isEqualTo("Base");
    assertThat(serverVersion.getJsonObject("vectorClock")).isEqualTo(new JsonObject().put(deviceA.deviceId, 2));
    assertThat(serverVersion.getString("checksum")).isEqualTo(Checksums.of(serverVersion));
    assertThat(conflict.getJsonObject("serverVectorClock")).isEqualTo(new JsonObject().put(deviceA.deviceId, 2));
    assertThat(deviceB.conflictQueue).extracting(c -> c.getString("entityId")).containsExactly("t1");
    assertThat(gateway.getOk(deviceA.token, "/api/tasks/t1").getString("title")).isEqualTo("Base");
  }

  @Test
  @DisplayName("a conflict resolved by merging clocks is applied and reaches the other device")
  void mergedResolutionReachesTheOtherDevice() {
    deviceA.createTask("t1", "Base");
    deviceA.sync();
    deviceB.sync();
    deviceA.updateTask("t1", new JsonObject().put("status", "doing"));
    deviceB.updateTask("t1", new JsonObject().put("title", "Renamed by B"));
    deviceA.sync();
    deviceB.sync();

    deviceB.resolveKeepingServerFieldsAnd("t1", "title");
    JsonObject resolution = deviceB.push();
    deviceA.sync();

    assertThat(resolution.getInteger("processed")).isEqualTo(1);
    JsonObject atA = deviceA.tasks.get("t1");
    assertThat(atA.getString("title")).isEqualTo("Renamed by B");
    assertThat(atA.getString("status")).isEqualTo("doing");
    assertThat(atA.getJsonObject("vectorClock"))
        .isEqualTo(new JsonObject().put(deviceA.deviceId, 2).put(deviceB.deviceId, 2));
  }

  @Test
  @DisplayName("a delete by A reaches B as a tombstone and B drops the task")
  void deleteReachesTheOtherDeviceAsTombstone() {
    deviceA.createTask("t1", "Keep");
    deviceA.createTask("t2", "Drop");
    deviceA.sync();
    deviceB.sync();

    deviceA.deleteTask("t2");
    deviceA.sync();
    JsonObject page = deviceB.pull();

    JsonArray tombstones = page.getJsonArray("tombstones");
    assertThat(tombstones).hasSize(1);
    JsonObject tombstone = tombstones.getJsonObject(0);
    assertThat(tombstone.getString("entityType")).isEqualTo("task");
    assertThat(tombstone.getString("entityId")).isEqualTo("t2");
    assertThat(tombstone.getString("deletedBy")).isEqualTo("alice");
    assertThat(tombstone.getString("deletedFromDevice")).isEqualTo(deviceA.deviceId);
    assertThat(tombstone.getJsonObject("vectorClock")).isEqualTo(new JsonObject().put(deviceA.deviceId, 2));
    assertThat(ids(page.getJsonArray("tasks"))).doesNotContain("t2");
    assertThat(deviceB.tasks.keySet()).containsExactly("t1");
    assertThat(gateway.get(deviceA.token, "/api/tasks/t2").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("pullWithPagination: offset 0, 100, 200 over 250 tasks returns every task exactly once")
  void offsetPaginationReturnsEveryTaskOnce() {
    for (int i = 0; i < 250; i++) {
      deviceA.createTask(String.format("bulk-%03d", i), "Bulk " + i);
    }
    deviceA.pushAll();
    DesignClient deviceC = new DesignClient("carol", org, uniqueId("device-c"));

    List<String> received = deviceC.pullWithPagination(0);

    assertThat(received).hasSize(250).doesNotHaveDuplicates();
    assertThat(deviceC.pagesRequested).containsExactly(0, 100, 200);
    assertConverged(deviceC);
  }

  @Test
  @DisplayName("pullWithPagination skips nothing while another device writes between pages")
  void offsetPaginationSkipsNothingWhileOthersWrite() {
    for (int i = 0; i < 250; i++) {
      deviceA.createTask(String.format("bulk-%03d", i), "Bulk " + i);
    }
    deviceA.pushAll();
    DesignClient deviceC = new DesignClient("carol", org, uniqueId("device-c"));
    deviceC.betweenPages = offset -> {
      if (offset == 0) {
        // An already-read task moves to the end of a timestamp-ordered feed: the design's own
        // server would shift every later row up by one here, and page 2 would skip one.
        deviceA.updateTask("bulk-005", new JsonObject().put("title", "Edited while C pages"));
        deviceA.createTask("late-1", "Created while C pages");
        deviceA.pushAll();
      }
    };

    List<String> received = deviceC.pullWithPagination(0);

    assertThat(new TreeSet<>(received)).hasSize(251);
    assertThat(deviceC.tasks.get("bulk-005").getString("title")).isEqualTo("Edited while C pages");
    assertThat(deviceC.tasks).containsKey("late-1");
    assertConverged(deviceC);
  }

  @Test
  @DisplayName("after a whole session of edits, conflict, resolution and delete, both devices converge to the server")
  void devicesConvergeToTheServer() {
    deviceA.createTask("t1", "Plan");
    deviceA.createTask("t2", "Build");
    deviceA.createTask("t3", "Ship");
    deviceA.sync();
    deviceB.sync();
    deviceB.updateTask("t1", new JsonObject().put("description", "Plan the sprint").put("tags", new JsonArray().add("q3")));
    deviceB.sync();
    deviceA.sync();
    deviceA.updateTask("t2", new JsonObject().put("status", "doing").put("assignedTo", "alice"));
    deviceB.updateTask("t2", new JsonObject().put("title", "Build it well"));
    deviceA.sync();
    deviceB.sync();
    assertThat(deviceB.conflictQueue).extracting(c -> c.getString("entityId")).contains("t2");
    deviceB.resolveKeepingServerFieldsAnd("t2", "title");
    deviceB.sync();
    deviceA.deleteTask("t3");
    deviceA.createTask("t4", "Celebrate");
    deviceA.sync();
    deviceB.sync();
    deviceA.sync();

    assertThat(deviceA.syncQueue).isEmpty();
    assertThat(deviceB.syncQueue).isEmpty();
    assertThat(deviceA.rejected).isEmpty();
    assertThat(deviceB.rejected).isEmpty();
    assertConverged(deviceA);
    assertConverged(deviceB);
    assertThat(deviceA.tasks.keySet()).containsExactly("t1", "t2", "t4");
    assertThat(deviceA.tasks.get("t2").getString("title")).isEqualTo("Build it well");
    assertThat(deviceA.tasks.get("t2").getString("status")).isEqualTo("doing");
    assertThat(deviceB.tasks.get("t1").getString("description")).isEqualTo("Plan the sprint");
  }

  // ---------------------------------------------------------------------------------------------
  // Convergence
  // ---------------------------------------------------------------------------------------------

  /**
   * The device's local map equals the server's state: same ids; the same content checksum (JCS
   * SHA-256 over the entity without server bookkeeping and local flags); and every entity the device
   * holds as received from the server carries exactly the server's current checksum. (A device's own
   * writes are never echoed back to it, so its copies of them keep its local bookkeeping.)
   */
  private void assertConverged(DesignClient device) {
    Map<String, JsonObject> server = new TreeMap<>();
    JsonObject everything = gateway.pullAll(device.token, null, 1000);
    everything.getJsonArray("tasks").forEach(t -> server.put(((JsonObject) t).getString("id"), (JsonObject) t));
    server.values().forEach(t -> assertThat(t.getString("checksum")).isEqualTo(Checksums.of(t)));

    assertThat(device.tasks.keySet()).as("%s's task ids", device.user).isEqualTo(server.keySet());
    Map<String, String> localContent = device.tasks.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> contentChecksum(e.getValue()), (a, b) -> a, TreeMap::new));
    Map<String, String> serverContent = server.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> contentChecksum(e.getValue()), (a, b) -> a, TreeMap::new));
    assertThat(localContent).as("%s's content checksums", device.user).isEqualTo(serverContent);
    device.tasks.forEach((id, local) -> {
      if (!local.getBoolean("_locallyModified", false)) {
        assertThat(local.getString("checksum")).as("%s's server copy of %s", device.user, id)
            .isEqualTo(server.get(id).getString("checksum"));
      }
    });
  }

  private static String contentChecksum(JsonObject entity) {
    JsonObject content = new JsonObject();
    entity.forEach(field -> {
      boolean bookkeeping = EntityType.SERVER_MANAGED.contains(field.getKey())
          || field.getKey().equals("organizationId") || field.getKey().startsWith("_");
      if (!bookkeeping && field.getValue() != null) {
        content.put(field.getKey(), field.getValue());
      }
    });
    return Checksums.of(content);
  }

  private static List<String> ids(JsonArray entities) {
    return entities.stream().map(e -> ((JsonObject) e).getString("id")).toList();
  }

  // ---------------------------------------------------------------------------------------------
  // The design's client, transcribed
  // ---------------------------------------------------------------------------------------------

  enum ClockRelation { EQUAL, BEFORE, AFTER, CONCURRENT }

  /** SyncEngine + TaskRepository + SyncQueue of SYNC_STRATEGY.md, with an in-memory "IndexedDB". */
  final class DesignClient {
    final String user;
    final String deviceId;
    final String token;
    final Map<String, JsonObject> tasks = new TreeMap<>();
    final List<JsonObject> syncQueue = new ArrayList<>();
    final List<JsonObject> conflictQueue = new ArrayList<>();
    final List<JsonObject> rejected = new ArrayList<>();
    final List<Integer> pagesRequested = new ArrayList<>();
    java.util.function.IntConsumer betweenPages = offset -> { };
    long lastSyncTime = 0;

    DesignClient(String user, String org, String deviceId) {
      this.user = user;
      this.deviceId = deviceId;
      this.token = gateway.token(user, org);
    }

    // --- TaskRepository ---

    void createTask(String id, String title) {
      long now = System.currentTimeMillis();
      JsonObject task = new JsonObject().put("id", id).put("title", title).put("description", "")
          .put("status", "todo").putNull("assignedTo").putNull("dueDate").putNull("completedAt")
          .put("tags", new JsonArray()).put("position", tasks.size())
          .put("vectorClock", incrementVectorClock(deviceId, new JsonObject()))
          .put("version", 1).put("createdAt", now).put("updatedAt", now).put("createdBy", user)
          .put("lastModifiedBy", user).put("lastModifiedDevice", deviceId)
          .put("_locallyModified", true).put("_syncStatus", "pending");
      task.put("checksum", calculateChecksum(task));
      tasks.put(id, task);
      enqueue("create", id, calculateSyncPriority("task", "create", task), task);
    }

    void updateTask(String id, JsonObject changes) {
      JsonObject current = tasks.get(id);
      JsonObject updated = current.copy().mergeIn(changes)
          .put("vectorClock", incrementVectorClock(deviceId, current.getJsonObject("vectorClock")))
          .put("updatedAt", System.currentTimeMillis())
          .put("version", current.getLong("version", 0L) + 1)
          .put("lastModifiedBy", user).put("lastModifiedDevice", deviceId)
          .put("_locallyModified", true).put("_syncStatus", "pending");
      updated.put("checksum", calculateChecksum(updated));
      tasks.put(id, updated);
      enqueue("update", id, calculateSyncPriority("task", "update", changes), updated);
    }

    void deleteTask(String id) {
      JsonObject current = tasks.remove(id);
      JsonObject payload = new JsonObject().put("id", id)
          .put("vectorClock", incrementVectorClock(deviceId, current.getJsonObject("vectorClock")));
      enqueue("delete", id, calculateSyncPriority("task", "delete", new JsonObject()), payload);
    }

    /** Conflict resolution: the server's version, with our value of the given fields, clocks merged. */
    void resolveKeepingServerFieldsAnd(String id, String... ourFields) {
      JsonObject conflict = conflictQueue.stream().filter(c -> c.getString("entityId").equals(id)).reduce((a, b) -> b)
          .orElseThrow();
      conflictQueue.removeIf(c -> c.getString("entityId").equals(id));
      JsonObject local = conflict.getJsonObject("localVersion");
      JsonObject server = conflict.getJsonObject("serverVersion");
      JsonObject merged = server.copy();
      for (String field : ourFields) {
        merged.put(field, local.getValue(field));
      }
      JsonObject clock = incrementVectorClock(deviceId,
          mergeVectorClocks(local.getJsonObject("vectorClock"), server.getJsonObject("vectorClock")));
      merged.put("vectorClock", clock).put("version", server.getLong("version") + 1)
          .put("updatedAt", System.currentTimeMillis()).put("lastModifiedBy", user).put("lastModifiedDevice", deviceId)
          .put("_locallyModified", true).put("_syncStatus", "pending");
      merged.put("checksum", calculateChecksum(merged));
      tasks.put(id, merged);
      JsonObject changes = new JsonObject();
      for (String field : ourFields) {
        changes.put(field, merged.getValue(field));
      }
      enqueue("update", id, calculateSyncPriority("task", "update", changes), merged);
    }

    // --- SyncQueue ---

    private void enqueue(String operation, String entityId, int priority, JsonObject payload) {
      syncQueue.add(new JsonObject().put("id", UUID.randomUUID().toString()).put("entityType", "task")
          .put("entityId", entityId).put("operation", operation).put("priority", priority)
          .put("payload", payload.copy()).put("createdAt", System.currentTimeMillis())
          .put("retryCount", 0).put("status", "pending"));
    }

    private List<JsonObject> getPending(int limit) {
      return syncQueue.stream().sorted((x, y) -> Integer.compare(x.getInteger("priority"), y.getInteger("priority")))
          .limit(limit).toList();
    }

    // --- SyncEngine ---

    /** The design's sync cycle: push, then pull. */
    void sync() {
      pushAll();
      pull();
    }

    void pushAll() {
      while (!syncQueue.isEmpty()) {
        push();
      }
    }

    JsonObject pushPayload() {
      List<JsonObject> pending = getPending(100);
      Map<String, JsonArray> grouped = new LinkedHashMap<>();
      pending.forEach(item -> grouped.computeIfAbsent(item.getString("entityType"), k -> new JsonArray()).add(item));
      JsonObject changes = new JsonObject();
      grouped.forEach(changes::put);
      return new JsonObject().put("deviceId", deviceId).put("changes", changes)
          .put("vectorClock", getLocalVectorClock()).put("timestamp", System.currentTimeMillis());
    }

    JsonObject push() {
      List<JsonObject> pending = getPending(100);
      JsonObject payload = pushPayload();
      JsonObject response = gateway.pushOk(token, payload); // gzip, like the design's apiClient
      handlePushResponse(response, pending);
      return response;
    }

    private void handlePushResponse(JsonObject response, List<JsonObject> items) {
      for (JsonObject item : items) {
        response.getJsonArray("conflicts").stream().map(c -> (JsonObject) c)
            .filter(c -> c.getString("entityId").equals(item.getString("entityId")))
            .findFirst()
            .ifPresent(conflict -> conflictQueue.add(new JsonObject()
                .put("id", UUID.randomUUID().toString())
                .put("entityType", item.getString("entityType")).put("entityId", item.getString("entityId"))
                .put("localVersion", item.getJsonObject("payload"))
                .put("serverVersion", conflict.getJsonObject("serverVersion"))
                .put("localVectorClock", item.getJsonObject("payload").getJsonObject("vectorClock"))
                .put("serverVectorClock", conflict.getJsonObject("serverVectorClock"))
                .put("conflictReason", conflict.getString("reason"))));
        syncQueue.remove(item);
      }
      response.getJsonArray("rejected").forEach(r -> rejected.add((JsonObject) r));
    }

    /** The design's pull(): one page, since=lastSyncTime (ms), deviceId, limit 100. */
    JsonObject pull() {
      JsonObject page = gateway.getOk(token,
          "/api/sync/pull?since=" + lastSyncTime + "&deviceId=" + deviceId + "&limit=100");
      assertThat(page.getBoolean("hasMore")).as("the design's single-page pull is only safe when hasMore is false")
          .isFalse();
      applyChanges(page);
      lastSyncTime = System.currentTimeMillis();
      return page;
    }

    /** The design's pullWithPagination(apiClient, lastSyncTime); returns every task id received. */
    List<String> pullWithPagination(long since) {
      List<String> received = new ArrayList<>();
      boolean hasMore = true;
      int currentOffset = 0;
      while (hasMore) {
        pagesRequested.add(currentOffset);
        JsonObject page = gateway.getOk(token, "/api/sync/pull?since=" + since + "&offset=" + currentOffset + "&limit=100");
        received.addAll(ids(page.getJsonArray("tasks")));
        applyChanges(page);
        hasMore = page.getBoolean("hasMore");
        betweenPages.accept(currentOffset);
        currentOffset += 100;
        assertThat(currentOffset).as("pagination never ends").isLessThan(100_000);
      }
      return received;
    }

    private void applyChanges(JsonObject page) {
      page.getJsonArray("tasks").forEach(task -> applyRemoteTask((JsonObject) task));
      page.getJsonArray("tombstones").forEach(t -> {
        JsonObject tombstone = (JsonObject) t;
        if (tombstone.getString("entityType").equals("task")) {
          tasks.remove(tombstone.getString("entityId"));
        }
      });
    }

    private void applyRemoteTask(JsonObject remote) {
      JsonObject local = tasks.get(remote.getString("id"));
      if (local != null && local.getBoolean("_locallyModified", false)
          && compareVectorClocks(local.getJsonObject("vectorClock"), remote.getJsonObject("vectorClock"))
              == ClockRelation.CONCURRENT) {
        conflictQueue.add(new JsonObject().put("entityType", "task").put("entityId", remote.getString("id"))
            .put("localVersion", local).put("serverVersion", remote)
            .put("localVectorClock", local.getJsonObject("vectorClock"))
            .put("serverVectorClock", remote.getJsonObject("vectorClock"))
            .put("conflictReason", "Concurrent modification"));
        return;
      }
      tasks.put(remote.getString("id"), remote.copy().put("_syncStatus", "synced").put("_locallyModified", false));
    }

    private JsonObject getLocalVectorClock() {
      JsonObject clock = new JsonObject();
      tasks.values().forEach(task -> clock.mergeIn(mergeVectorClocks(clock, task.getJsonObject("vectorClock"))));
      return clock;
    }
  }

  // --- the design's vector clock and priority functions ---

  static JsonObject incrementVectorClock(String deviceId, JsonObject current) {
    return current.copy().put(deviceId, current.getLong(deviceId, 0L) + 1);
  }

  static JsonObject mergeVectorClocks(JsonObject local, JsonObject remote) {
    Set<String> devices = new TreeSet<>(local.fieldNames());
    devices.addAll(remote.fieldNames());
    JsonObject merged = new JsonObject();
    devices.forEach(d -> merged.put(d, Math.max(local.getLong(d, 0L), remote.getLong(d, 0L))));
    return merged;
  }

  static ClockRelation compareVectorClocks(JsonObject clock1, JsonObject clock2) {
    Set<String> devices = new TreeSet<>(clock1.fieldNames());
    devices.addAll(clock2.fieldNames());
    boolean clock1Greater = false;
    boolean clock2Greater = false;
    for (String d : devices) {
      long v1 = clock1.getLong(d, 0L);
      long v2 = clock2.getLong(d, 0L);
      clock1Greater |= v1 > v2;
      clock2Greater |= v2 > v1;
    }
    if (clock1Greater && clock2Greater) {
      return ClockRelation.CONCURRENT;
    }
    return clock1Greater ? ClockRelation.AFTER : clock2Greater ? ClockRelation.BEFORE : ClockRelation.EQUAL;
  }

  static int calculateSyncPriority(String entityType, String operation, JsonObject changes) {
    if (operation.equals("create")) {
      return 1;
    }
    if (entityType.equals("task") && changes.containsKey("status")) {
      return 1;
    }
    if (entityType.equals("task") && changes.containsKey("assignedTo")) {
      return 2;
    }
    if (changes.containsKey("title") || changes.containsKey("name")) {
      return 2;
    }
    if (entityType.equals("comment") && !operation.equals("update")) {
      return 2;
    }
    if (changes.containsKey("description") || changes.containsKey("content")) {
      return 3;
    }
    if (changes.containsKey("dueDate") || changes.containsKey("completedAt")) {
      return 3;
    }
    if (changes.containsKey("tags") || changes.containsKey("customFields")) {
      return 4;
    }
    return 5;
  }

  /** The design's checksum: JSON.stringify(entity, Object.keys(entity).sort()) then SHA-256 (not JCS). */
  static String calculateChecksum(JsonObject entity) {
    Map<String, Object> sorted = new TreeMap<>(new HashMap<>(entity.getMap()));
    sorted.remove("checksum");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(new JsonObject(sorted).encode().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
