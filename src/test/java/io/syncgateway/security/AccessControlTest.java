package io.syncgateway.security;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.delete;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may do what (PROTOCOL.md §2): comment authorship, the admin role, and organizations that
 * never see or touch each other's rows, whatever ids they use.
 */
@DisplayName("Access control: comment authorship, admins, organization isolation")
class AccessControlTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("access_control");
  private String org;
  private String alice;
  private String bob;
  private String admin;
  private String aliceDevice;
  private String bobDevice;
  private String adminDevice;

  /** Alice (member) writes task t1 and her comment c1 in a fresh organization. */
  @BeforeEach
  void aliceWritesATaskAndAComment() {
    org = uniqueId("org");
    alice = gateway.token("alice", org);
    bob = gateway.token("bob", org);
    admin = gateway.token("carol", org, Role.ADMIN);
    aliceDevice = uniqueId("dev-alice");
    bobDevice = uniqueId("dev-bob");
    adminDevice = uniqueId("dev-carol");
    gateway.pushOk(alice, batch(aliceDevice,
        "task", task("t1", clock(aliceDevice, 1), "Alice's task"),
        "comment", comment("c1", "t1", clock(aliceDevice, 1), "Alice's words")));
  }

  @Test
  @DisplayName("a member may not edit another member's comment: that item is forbidden, the rest applies")
  void memberCannotEditOthersComment() {
    JsonObject response = gateway.pushOk(bob, batch(bobDevice,
        "comment", comment("c1", "t1", clock(aliceDevice, 1, bobDevice, 1), "Bob's words now"),
        "comment", comment("c2", "t1", clock(bobDevice, 1), "Bob's own comment")));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(rejection(response)).isEqualTo(new JsonObject().put("entityType", "comment").put("entityId", "c1")
        .put("code", "forbidden").put("retryable", false));
    assertThat(commentContents()).containsExactlyInAnyOrder("Alice's words", "Bob's own comment");
  }

  @Test
  @DisplayName("a member may not delete another member's comment")
  void memberCannotDeleteOthersComment() {
    JsonObject response = gateway.pushOk(bob, batch(bobDevice,
        "comment", delete("c1", clock(aliceDevice, 1, bobDevice, 1))));

    assertThat(rejection(response).getString("code")).isEqualTo("forbidden");
    assertThat(commentContents()).containsExactly("Alice's words");
  }

  @Test
  @DisplayName("the author may edit her own comment")
  void authorEditsOwnComment() {
    JsonObject response = gateway.pushOk(alice, batch(aliceDevice,
        "comment", comment("c1", "t1", clock(aliceDevice, 2), "Alice, edited")));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(commentContents()).containsExactly("Alice, edited");
  }

  @Test
  @DisplayName("an admin may edit and delete anyone's comment")
  void adminMayEditAndDelete() {
    JsonObject edited = gateway.pushOk(admin, batch(adminDevice,
        "comment", comment("c1", "t1", clock(aliceDevice, 1, adminDevice, 1), "moderated")));
    assertThat(edited.getInteger("processed")).isEqualTo(1);
    assertThat(commentContents()).containsExactly("moderated");

    JsonObject deleted = gateway.pushOk(admin, batch(adminDevice,
        "comment", delete("c1", clock(aliceDevice, 1, adminDevice, 2))));
    assertThat(deleted.getInteger("processed")).isEqualTo(1);
    assertThat(commentContents()).isEmpty();
  }

  @Test
  @DisplayName("members may edit each other's tasks")
  void membersShareTasks() {
    JsonObject response = gateway.pushOk(bob, batch(bobDevice,
        "task", task("t1", clock(aliceDevice, 1, bobDevice, 1), "Bob renamed it")));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(gateway.getOk(alice, "/api/tasks/t1").getString("title")).isEqualTo("Bob renamed it");
  }

  @Test
  @DisplayName("another organization sees nothing: pull, task and comments are empty or 404")
  void otherOrganizationSeesNothing() {
    String outsider = gateway.token("alice", uniqueId("org-other"));

    JsonObject pulled = gateway.pullAll(outsider, null, 100);
    assertThat(pulled.getJsonArray("tasks")).isEmpty();
    assertThat(pulled.getJsonArray("comments")).isEmpty();
    assertThat(gateway.get(outsider, "/api/tasks/t1").statusCode()).isEqualTo(404);
    assertThat(gateway.get(outsider, "/api/tasks/t1/comments").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("another organization pushing the same ids creates its own rows and touches nothing here")
  void sameIdsAreSeparateRows() {
    String outsider = gateway.token("mallory", uniqueId("org-other"));
    String device = uniqueId("dev-mallory");

    JsonObject response = gateway.pushOk(outsider, batch(device,
        "task", task("t1", clock(device, 9), "Mallory's t1"),
        "comment", comment("c1", "t1", clock(device, 9), "Mallory's c1")));

    assertThat(response.getInteger("processed")).isEqualTo(2);
    assertThat(gateway.getOk(alice, "/api/tasks/t1").getString("title")).isEqualTo("Alice's task");
    assertThat(commentContents()).containsExactly("Alice's words");
    assertThat(gateway.getOk(outsider, "/api/tasks/t1").getString("title")).isEqualTo("Mallory's t1");
  }

  @Test
  @DisplayName("another organization cannot hang a comment on this organization's task: missing_parent")
  void noCrossOrganizationParent() {
    String outsider = gateway.token("mallory", uniqueId("org-other"));
    String device = uniqueId("dev-mallory");

    JsonObject response = gateway.pushOk(outsider, batch(device,
        "comment", comment("c9", "t1", clock(device, 1), "planted")));

    assertThat(rejection(response).getString("code")).isEqualTo("missing_parent");
    assertThat(commentContents()).containsExactly("Alice's words");
  }

  @Test
  @DisplayName("a viewer reads the organization but may not push")
  void viewerReads() {
    String viewer = gateway.token("vera", org, Role.VIEWER);

    assertThat(gateway.getOk(viewer, "/api/tasks/t1").getString("title")).isEqualTo("Alice's task");
    assertThat(gateway.push(viewer, batch(uniqueId("dev-vera"), "task", task("t2", clock("x", 1), "no")))
        .statusCode()).isEqualTo(403);
    assertThat(gateway.get(alice, "/api/tasks/t2").statusCode()).isEqualTo(404);
  }

  private JsonArray comments() {
    return gateway.getOk(alice, "/api/tasks/t1/comments").getJsonArray("comments");
  }

  private java.util.List<String> commentContents() {
    return comments().stream().map(c -> ((JsonObject) c).getString("content")).toList();
  }

  /** The single rejection of a push response, without its free-text message. */
  private static JsonObject rejection(JsonObject response) {
    JsonArray rejected = response.getJsonArray("rejected");
    assertThat(rejected).hasSize(1);
    JsonObject rejection = rejected.getJsonObject(0).copy();
    assertThat(rejection.getString("message")).isNotBlank();
    rejection.remove("message");
    return rejection;
  }
}
