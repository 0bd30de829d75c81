package io.syncgateway.sync;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Pull pages of large entities end early at pull.pageBytes, and the cursor goes on without a gap")
class PullPageSizeTest {
  private static final int PAGE_BYTES = 10_000;
  private static final int TASKS = 7;
  private static final int DESCRIPTION_CHARS = 4_000;
  private static GatewayHarness gateway;

  @BeforeAll
  static void start() {
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("pull_page_size"),
        Map.of(Setting.PULL_PAGE_BYTES, PAGE_BYTES));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName("each page holds the entities whose data before them stays under the cap (the first always), "
      + "says hasMore, and following its cursors returns every entity once")
  void largePagesAreCutBySize() {
    String token = gateway.token("user-1", "org-page-size");
    JsonObject body = batch("writer");
    JsonArray tasks = new JsonArray();
    for (int i = 0; i < TASKS; i++) {
      tasks.add(task("big-" + i, clock("writer", 1), "Task " + i).put("description", "x".repeat(DESCRIPTION_CHARS)));
    }
    body.getJsonObject("changes").put("task", tasks);
    gateway.pushOk(token, body);

    List<String> pulled = new ArrayList<>();
    String since = "0";
    List<Integer> pageSizes = new ArrayList<>();
    for (int page = 0; page < TASKS + 2; page++) {
      JsonObject answer = gateway.getOk(token, "/api/sync/pull?limit=1000&since=" + since);
      JsonArray items = answer.getJsonArray("tasks");
      items.forEach(item -> pulled.add(((JsonObject) item).getString("id")));
      pageSizes.add(items.size());
      since = answer.getString("cursor");
      if (!answer.getBoolean("hasMore")) {
        break;
      }
    }
    // Each task's data is a little over 4,000 bytes: rows start while less than 10,000 came before them.
    assertThat(pageSizes.get(0)).isEqualTo(3);
    assertThat(pulled).hasSize(TASKS).doesNotHaveDuplicates();
    assertThat(pageSizes.get(pageSizes.size() - 1)).isLessThanOrEqualTo(3);
  }
}
