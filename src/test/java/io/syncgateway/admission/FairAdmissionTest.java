package io.syncgateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Admission across organizations: turns, shares, shedding and refusals (PROTOCOL §7 v1.1). */
@DisplayName("Fair admission: organizations take turns, hold at most their share, and shed only their own work")
class FairAdmissionTest {
  private static final GatewayException DOWN = new GatewayException(ErrorCode.UNAVAILABLE, "down");
  private static Vertx vertx;

  /** Names of the work started, in order, and the work still running (completed by the test). */
  private final List<String> started = new ArrayList<>();
  private final List<Promise<String>> running = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  private static Admission admission(int concurrency, int organizationSlots, int shedLowAt, int queueLimit) {
    return new Admission(vertx,
        new AdmissionLimits(concurrency, organizationSlots, shedLowAt, shedLowAt, queueLimit, 0));
  }

  /** Work named "org:name" that runs until the test completes it. */
  private Future<String> submit(Admission admission, String org, int priority, String name) {
    return admission.submit(org, priority, () -> {
      started.add(org + ":" + name);
      Promise<String> work = Promise.promise();
      running.add(work);
      return work.future();
    });
  }

  private void finishOldest(int count) {
    for (int i = 0; i < count; i++) {
      running.remove(0).complete("done");
    }
  }

  private static void assertFailedWith(ErrorCode code, Future<?> future) {
    assertThat(future.failed()).as("failed " + code).isTrue();
    assertThat(((GatewayException) future.cause()).code()).isEqualTo(code);
  }

  @Test
  @DisplayName("organizations with waiting work take turns, one operation each, in the order they began to wait")
  void roundRobin() {
    Admission admission = admission(1, 1, 10, 10);
    submit(admission, "x", 1, "running");
    submit(admission, "a", 1, "1");
    submit(admission, "a", 1, "2");
    submit(admission, "a", 1, "3");
    submit(admission, "b", 1, "1");
    submit(admission, "b", 1, "2");
    submit(admission, "c", 1, "1");

    finishOldest(6);

    assertThat(started).containsExactly("x:running", "a:1", "b:1", "c:1", "a:2", "b:2", "a:3");
  }

  @Test
  @DisplayName("alone, an organization may take every slot but one; a newcomer takes the spare at once and the freed slots next")
  void organizationShare() {
    Admission admission = admission(4, 2, 10, 10);

    for (int i = 1; i <= 5; i++) {
      submit(admission, "flood", 1, String.valueOf(i));
    }

    assertThat(started).containsExactly("flood:1", "flood:2", "flood:3");
    assertThat(admission.running()).isEqualTo(3);
    assertThat(admission.waiting()).isEqualTo(2);

    submit(admission, "quiet", 2, "1");
    submit(admission, "quiet", 2, "2");
    assertThat(started).as("the spare slot is the newcomer's").endsWith("quiet:1");

    finishOldest(1);
    assertThat(started).as("a freed slot goes to the organization under its share, not to the flood")
        .containsExactly("flood:1", "flood:2", "flood:3", "quiet:1", "quiet:2");

    finishOldest(2);
    assertThat(started).as("with another organization busy, the flood runs up to its share of 2 again")
        .containsExactly("flood:1", "flood:2", "flood:3", "quiet:1", "quiet:2", "flood:4", "flood:5");
    assertThat(admission.running()).isEqualTo(4);
  }

  @Test
  @DisplayName("an organization whose own queue is deep sheds its own low-priority work; another's is still queued")
  void sheddingPerOrganization() {
    Admission admission = admission(1, 1, 2, 10);
    submit(admission, "x", 1, "running");
    List<Future<String>> flood = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      flood.add(submit(admission, "flood", 5, "flood-" + i));
    }

    Future<String> quiet = submit(admission, "quiet", 5, "quiet");

    assertThat(flood.subList(0, 2)).noneMatch(Future::isComplete);
    flood.subList(2, 5).forEach(shed -> assertFailedWith(ErrorCode.OVERLOADED, shed));
    assertThat(quiet.isComplete()).as("the quiet organization's priority 5 is queued").isFalse();
    assertThat(admission.waitingPriorities("quiet")).containsExactly(5);
    assertThat(admission.shedCount(5)).isEqualTo(3);
  }

  @Test
  @DisplayName("when every queue together is full, the longest gives way to another organization's newcomer")
  void longestQueueGivesWay() {
    Admission admission = admission(1, 1, 4, 4);
    submit(admission, "x", 1, "running");
    List<Future<String>> flood = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      flood.add(submit(admission, "flood", 1, "flood-" + i));
    }

    Future<String> quiet = submit(admission, "quiet", 5, "quiet");
    Future<String> floodAgain = submit(admission, "flood", 1, "flood-again");

    assertFailedWith(ErrorCode.OVERLOADED, flood.get(3));
    assertFailedWith(ErrorCode.OVERLOADED, floodAgain);
    assertThat(quiet.isComplete()).isFalse();
    assertThat(admission.waitingPriorities("flood")).containsExactly(1, 1, 1);
    assertThat(admission.waitingPriorities("quiet")).containsExactly(5);
  }

  @Test
  @DisplayName("a declared priority orders work within its organization only: priority 1 of one never overtakes another's 5")
  void priorityWithinOrganizationOnly() {
    Admission admission = admission(1, 1, 10, 10);
    submit(admission, "x", 1, "running");
    submit(admission, "quiet", 5, "edit");
    submit(admission, "flood", 5, "bulk");
    submit(admission, "flood", 1, "urgent-1");
    submit(admission, "flood", 1, "urgent-2");

    assertThat(admission.waitingPriorities("flood")).containsExactly(1, 1, 5);
    finishOldest(4);

    assertThat(started).containsExactly("x:running", "quiet:edit", "flood:urgent-1", "flood:urgent-2", "flood:bulk");
  }

  @Test
  @DisplayName("refusing all fails every waiter and every newcomer at once; running work goes on; admitting restores queuing")
  void refuseAll() {
    Admission admission = admission(1, 1, 10, 10);
    Future<String> runningWork = submit(admission, "a", 1, "running");
    Future<String> waiting = submit(admission, "b", 1, "waiting");

    admission.refuseAll(DOWN);
    Future<String> newcomer = submit(admission, "c", 1, "new");

    assertThat(waiting.cause()).isSameAs(DOWN);
    assertThat(newcomer.cause()).isSameAs(DOWN);
    assertThat(runningWork.isComplete()).isFalse();
    assertThat(admission.waiting()).isZero();
    assertThat(admission.refusedCount()).isEqualTo(2);

    admission.admitAll();
    Future<String> queued = submit(admission, "c", 1, "queued");
    assertThat(queued.isComplete()).isFalse();
    finishOldest(1);
    assertThat(started).containsExactly("a:running", "c:queued");
  }

  @Test
  @DisplayName("refusing waiting work lets work that finds a free slot run and fails what would have to wait")
  void refuseWaiting() {
    Admission admission = admission(2, 1, 10, 10);
    submit(admission, "a", 1, "running");
    Future<String> waiting = submit(admission, "a", 1, "waiting");

    admission.refuseWaiting(DOWN);
    Future<String> free = submit(admission, "b", 1, "free");
    Future<String> wouldWait = submit(admission, "c", 1, "would-wait");

    assertThat(waiting.cause()).isSameAs(DOWN);
    assertThat(wouldWait.cause()).isSameAs(DOWN);
    assertThat(free.isComplete()).isFalse();
    assertThat(started).containsExactly("a:running", "b:free");
  }

  @Test
  @DisplayName("an organization is forgotten once it has nothing running or waiting")
  void idleOrganizationsAreForgotten() {
    Admission admission = admission(1, 1, 0, 10);
    submit(admission, "a", 1, "running");
    submit(admission, "b", 1, "waiting");
    submit(admission, "c", 5, "shed at once");
    assertThat(admission.organizations()).isEqualTo(2);

    finishOldest(2);

    assertThat(admission.organizations()).isZero();
    assertThat(admission.running()).isZero();
  }
}
