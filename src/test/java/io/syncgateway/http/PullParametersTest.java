package io.syncgateway.http;

import static io.syncgateway.http.HttpContractTest.assertProblem;
import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Strict pull parameters and tamper-evident cursors (PROTOCOL §4 v1.1, Appendix A rule 7), over
 * real HTTP and PostgreSQL.
 */
@DisplayName("Pull parameters: strict query, cursor= synonym, cursors bound to their organization")
class PullParametersTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("pull_parameters");
  private String org;
  private String token;

  @BeforeEach
  void organizationWithThreeTasks() {
    org = uniqueId("org");
    token = gateway.token("alice", org);
    String device = uniqueId("dev");
    gateway.pushOk(token, batch(device, "task", task("t1", clock(device, 1), "one"),
        "task", task("t2", clock(device, 1), "two"), "task", task("t3", clock(device, 1), "three")));
  }

  private HttpResponse<Buffer> pull(String query) {
    return gateway.get(token, "/api/sync/pull?" + query);
  }

  /** A genuine cursor of this organization, in the middle of its feed. */
  private String midFeedCursor() {
    JsonObject first = gateway.getOk(token, "/api/sync/pull?limit=1&since=0");
    assertThat(first.getBoolean("hasMore")).isTrue();
    return first.getString("cursor");
  }

  private static void assertInvalidRequestNaming(HttpResponse<Buffer> response, String name) {
    assertProblem(response, 400, "invalid_request");
    assertThat(response.bodyAsJsonObject().getString("detail")).contains("'" + name + "'");
  }

  // ---------------------------------------------------------------- cursor= and since=

  @Test
  @DisplayName("cursor= is a synonym of since= carrying a cursor: the same page")
  void cursorIsSynonymOfSince() {
    String cursor = midFeedCursor();

    JsonObject bySince = gateway.getOk(token, "/api/sync/pull?since=" + cursor);
    JsonObject byCursor = gateway.getOk(token, "/api/sync/pull?cursor=" + cursor);

    assertThat(byCursor.getJsonArray("tasks")).hasSize(2).isEqualTo(bySince.getJsonArray("tasks"));
    assertThat(byCursor.getBoolean("hasMore")).isEqualTo(bySince.getBoolean("hasMore")).isFalse();
  }

  @Test
  @DisplayName("since and cursor together are 400 invalid_request, even when equal")
  void sinceAndCursorTogether() {
    String cursor = midFeedCursor();

    assertProblem(pull("since=" + cursor + "&cursor=" + cursor), 400, "invalid_request");
    assertProblem(pull("since=0&cursor=" + cursor), 400, "invalid_request");
  }

  @Test
  @DisplayName("an empty since= or cursor= counts as absent")
  void emptyCountsAsAbsent() {
    assertThat(gateway.getOk(token, "/api/sync/pull?since=0&cursor=").getJsonArray("tasks")).hasSize(3);
    assertThat(gateway.getOk(token, "/api/sync/pull?since=&cursor=" + midFeedCursor()).getJsonArray("tasks")).hasSize(2);
  }

  @Test
  @DisplayName("cursor= with an all-digit value is 400 invalid_cursor: timestamps go in since=")
  void cursorWithDigits() {
    assertProblem(pull("cursor=0"), 400, "invalid_cursor");
    assertProblem(pull("cursor=1732550000123"), 400, "invalid_cursor");
  }

  @Test
  @DisplayName("a malformed cursor= is 400 invalid_cursor")
  void malformedCursorParameter() {
    for (String cursor : new String[] {"zzz", "c1_2_3", "c1_2_3_4_short", "-1"}) {
      assertProblem(pull("cursor=" + cursor), 400, "invalid_cursor");
    }
  }

  @Test
  @DisplayName("a cursor with one character altered is 400 invalid_cursor, in since= or cursor=")
  void alteredCursor() {
    String cursor = midFeedCursor();
    char last = cursor.charAt(cursor.length() - 1);
    String altered = cursor.substring(0, cursor.length() - 1) + (last == 'A' ? 'B' : 'A');
    String otherPosition = "c1" + cursor.substring(1);

    for (String forged : new String[] {altered, otherPosition}) {
      assertProblem(pull("since=" + forged), 400, "invalid_cursor");
      assertProblem(pull("cursor=" + forged), 400, "invalid_cursor");
    }
  }

  @Test
  @DisplayName("a genuine cursor of another organization is 400 invalid_cursor")
  void cursorOfAnotherOrganization() {
    String cursor = midFeedCursor();
    String stranger = gateway.token("mallory", uniqueId("other-org"));

    assertProblem(gateway.get(stranger, "/api/sync/pull?since=" + cursor), 400, "invalid_cursor");
    assertProblem(gateway.get(stranger, "/api/sync/pull/tasks?cursor=" + cursor), 400, "invalid_cursor");
  }

  @Test
  @DisplayName("another user of the same organization may use the cursor")
  void cursorOfSameOrganizationOtherUser() {
    String cursor = midFeedCursor();
    String colleague = gateway.token("bob", org);

    assertThat(gateway.getOk(colleague, "/api/sync/pull?since=" + cursor).getJsonArray("tasks")).hasSize(2);
  }

  @Test
  @DisplayName("offset with cursor= is 400 invalid_request")
  void offsetWithCursor() {
    assertProblem(pull("offset=0&cursor=" + midFeedCursor()), 400, "invalid_request");
  }

  // ---------------------------------------------------------------- unknown and repeated parameters

  @Test
  @DisplayName("an unknown query parameter is 400 invalid_request whose detail names it")
  void unknownParameter() {
    assertInvalidRequestNaming(pull("since=0&sinse=5"), "sinse");
    assertInvalidRequestNaming(pull("page=2"), "page");
  }

  @Test
  @DisplayName("parameter names are case-sensitive: Since= is unknown")
  void namesAreCaseSensitive() {
    assertInvalidRequestNaming(pull("Since=0"), "Since");
    assertInvalidRequestNaming(pull("deviceid=" + uniqueId("dev")), "deviceid");
  }

  @Test
  @DisplayName("an unknown parameter with an empty value or none is refused too")
  void unknownParameterWithoutValue() {
    assertInvalidRequestNaming(pull("since=0&debug="), "debug");
    assertInvalidRequestNaming(pull("since=0&debug"), "debug");
  }

  @Test
  @DisplayName("a repeated parameter is 400 invalid_request naming it, even with equal values")
  void repeatedParameter() {
    assertInvalidRequestNaming(pull("limit=1&limit=2"), "limit");
    assertInvalidRequestNaming(pull("since=0&since=0"), "since");
    assertInvalidRequestNaming(pull("types=task&types=comment"), "types");
  }

  @Test
  @DisplayName("the known parameters are all accepted together")
  void knownParametersTogether() {
    JsonObject page = gateway.getOk(token,
        "/api/sync/pull?since=" + (System.currentTimeMillis() - 1000) + "&offset=0&limit=2&types=task,comment&deviceId="
            + uniqueId("dev"));

    assertThat(page.getJsonArray("tasks")).hasSize(2);
  }

  @Test
  @DisplayName("a query that is not valid percent-encoding is 400 invalid_request")
  void badPercentEncoding() {
    assertProblem(pull("since=%zz"), 400, "invalid_request");
  }

  @Test
  @DisplayName("without a token the answer is 401, whatever the parameters")
  void authenticationComesFirst() {
    assertProblem(gateway.get(null, "/api/sync/pull?bogus=1&limit=1&limit=2"), 401, "unauthorized");
  }

  // ---------------------------------------------------------------- per-type paths

  @Test
  @DisplayName("a per-type path refuses unknown and repeated parameters too")
  void perTypePathIsStrict() {
    assertInvalidRequestNaming(gateway.get(token, "/api/sync/pull/tasks?since=0&sort=asc"), "sort");
    assertInvalidRequestNaming(gateway.get(token, "/api/sync/pull/comments?limit=1&limit=1"), "limit");
  }

  @Test
  @DisplayName("a per-type path accepts types that include its type, and pulls only its type")
  void perTypePathWithItsType() {
    assertThat(gateway.getOk(token, "/api/sync/pull/tasks?types=tasks").getJsonArray("tasks")).hasSize(3);
    assertThat(gateway.getOk(token, "/api/sync/pull/tasks?types=task,comment").getJsonArray("tasks")).hasSize(3);
  }

  @Test
  @DisplayName("a per-type path with types that exclude its type is 400 invalid_request")
  void perTypePathWithOtherType() {
    assertProblem(gateway.get(token, "/api/sync/pull/tasks?types=comment"), 400, "invalid_request");
  }

  @Test
  @DisplayName("a per-type path with an unknown or empty types is 400 unknown_entity_type")
  void perTypePathWithUnknownType() {
    assertProblem(gateway.get(token, "/api/sync/pull/tasks?types=project"), 400, "unknown_entity_type");
    assertProblem(gateway.get(token, "/api/sync/pull/tasks?types="), 400, "unknown_entity_type");
  }
}
