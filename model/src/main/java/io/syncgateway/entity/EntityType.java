package io.syncgateway.entity;

import static io.syncgateway.entity.FieldRule.Kind.MILLIS;
import static io.syncgateway.entity.FieldRule.Kind.NON_NEGATIVE_INTEGER;
import static io.syncgateway.entity.FieldRule.Kind.NUMBER;
import static io.syncgateway.entity.FieldRule.Kind.OBJECT;
import static io.syncgateway.entity.FieldRule.Kind.TAGS;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three synced entity types. Table names come from here, never from a request, so entity types
 * in a request are data that only select one of these constants.
 */
public enum EntityType {
  TASK("task", "tasks", "tasks", false, Set.of("title"), List.of(
      FieldRule.text("title", 1, 500, false),
      FieldRule.text("description", 100_000, true),
      FieldRule.text("status", 64, true),
      FieldRule.text("assignedTo", 128, true),
      FieldRule.of("dueDate", MILLIS),
      FieldRule.of("completedAt", MILLIS),
      FieldRule.of("tags", TAGS),
      FieldRule.of("customFields", OBJECT),
      FieldRule.of("position", NUMBER))),
  COMMENT("comment", "comments", "comments", true, Set.of("taskId", "content"), List.of(
      FieldRule.id("taskId"),
      FieldRule.text("content", 100_000, false))),
  ATTACHMENT("attachment", "attachments", "attachments", true, Set.of("taskId", "filename"), List.of(
      FieldRule.id("taskId"),
      FieldRule.text("filename", 255, false),
      FieldRule.text("mimeType", 255, true),
      FieldRule.of("size", NON_NEGATIVE_INTEGER),
      FieldRule.text("storageKey", 1024, true)));

  /** Sync metadata every entity carries; clients may send these back. */
  public static final Set<String> SERVER_MANAGED = Set.of(
      "version", "updatedAt", "createdAt", "createdBy", "lastModifiedBy", "lastModifiedDevice", "deletedAt", "checksum");

  private final String singular;
  private final String plural;
  private final String table;
  private final boolean childOfTask;
  private final Set<String> requiredOnCreate;
  private final Map<String, FieldRule> fields;

  EntityType(String singular, String plural, String table, boolean childOfTask,
      Set<String> requiredOnCreate, List<FieldRule> fields) {
    this.singular = singular;
    this.plural = plural;
    this.table = table;
    this.childOfTask = childOfTask;
    this.requiredOnCreate = requiredOnCreate;
    Map<String, FieldRule> byName = new LinkedHashMap<>();
    fields.forEach(rule -> byName.put(rule.name(), rule));
    this.fields = Collections.unmodifiableMap(byName);
  }

  public String singular() {
    return singular;
  }

  public String plural() {
    return plural;
  }

  public String table() {
    return table;
  }

  /** Comments and attachments belong to a task (their taskId). */
  public boolean isChildOfTask() {
    return childOfTask;
  }

  public Set<String> requiredOnCreate() {
    return requiredOnCreate;
  }

  public Map<String, FieldRule> fields() {
    return fields;
  }

  /** The type named by a singular or plural name, or null. */
  public static EntityType fromName(String name) {
    return Arrays.stream(values())
        .filter(type -> type.singular.equals(name) || type.plural.equals(name))
        .findFirst().orElse(null);
  }
}
