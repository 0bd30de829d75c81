package io.syncgateway.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Admission within one organization (across organizations: {@link FairAdmissionTest}). */
@DisplayName("Admission: bounded concurrency, most urgent first, low priorities shed first")
class AdmissionTest {
  private static final String ORG = "org-1";
  private static Vertx vertx;

  /** Work that runs until the test completes it, recording when it started. */
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

  private Future<String> submit(Admission admission, int priority, String name) {
    return admission.submit(ORG, priority, () -> {
      started.add(name);
      Promise<String> work = Promise.promise();
      running.add(work);
      return work.future();
    });
  }

  /** Completes the oldest running work, which frees its slot. */
  private void finishOldest() {
    Promise<String> oldest = running.remove(0);
    oldest.complete("done");
  }

  private static Admission admission(int concurrency, int shedLowAt, int shedMediumAt, int queueLimit) {
    return new Admission(vertx, new AdmissionLimits(concurrency, concurrency, shedLowAt, shedMediumAt, queueLimit, 0));
  }

  private static void assertOverloaded(Future<?> future) {
    assertThat(future.failed()).as("shed").isTrue();
    assertThat(future.cause()).isInstanceOf(GatewayException.class);
    assertThat(((GatewayException) future.cause()).code()).isEqualTo(ErrorCode.OVERLOADED);
  }

  private static void assertStillWaiting(Future<?>... futures) {
    assertThat(futures).noneMatch(Future::isComplete);
  }

  @Test
  @DisplayName("work runs at once while fewer than the concurrency limit are running")
  void runsAtOnceUnderTheLimit() {
    Admission admission = admission(2, 10, 10, 10);

    submit(admission, 5, "a");
    submit(admission, 5, "b");
    submit(admission, 1, "c");

    assertThat(started).containsExactly("a", "b");
    assertThat(admission.running()).isEqualTo(2);
    assertThat(admission.waiting()).isEqualTo(1);
  }

  @Test
  @DisplayName("waiting work starts most urgent priority first, in arrival order within a priority")
  void mostUrgentFirst() {
    Admission admission = admission(1, 10, 10, 10);
    submit(admission, 3, "running");
    submit(admission, 5, "p5-first");
    submit(admission, 3, "p3");
    submit(admission, 1, "p1-first");
    submit(admission, 5, "p5-second");
    submit(admission, 2, "p2");
    submit(admission, 1, "p1-second");

    assertThat(admission.waitingPriorities(ORG)).containsExactly(1, 1, 2, 3, 5, 5);
    for (int i = 0; i < 6; i++) {
      finishOldest();
    }

    assertThat(started).containsExactly("running", "p1-first", "p1-second", "p2", "p3", "p5-first", "p5-second");
  }

  @Test
  @DisplayName("the result of admitted work is passed through, and its slot is freed when it completes")
  void resultPassesThrough() {
    Admission admission = admission(1, 10, 10, 10);
    Future<String> first = submit(admission, 1, "first");
    Future<String> second = submit(admission, 1, "second");

    finishOldest();

    assertThat(first.result()).isEqualTo("done");
    assertThat(started).containsExactly("first", "second");
    assertThat(second.isComplete()).isFalse();
  }

  @Test
  @DisplayName("work that fails, or throws before returning a future, still frees its slot")
  void failuresFreeTheSlot() {
    Admission admission = admission(1, 10, 10, 10);
    Future<String> throwing = admission.submit(ORG, 1, () -> {
      throw new IllegalStateException("boom");
    });
    Future<String> failing = admission.submit(ORG, 1, () -> Future.failedFuture(new IllegalStateException("no")));
    submit(admission, 1, "after");

    assertThat(throwing.cause()).hasMessage("boom");
    assertThat(failing.cause()).hasMessage("no");
    assertThat(started).containsExactly("after");
    assertThat(admission.running()).isEqualTo(1);
  }

  @ParameterizedTest(name = "priority {0} is queued below {1} waiting and shed from {1} on")
  @CsvSource({"5, 2", "4, 2", "3, 4", "2, 6", "1, 6"})
  @DisplayName("each priority is shed once the queue reaches its depth: 4-5 first, then 3, then 1-2 at the limit")
  void shedDepthPerPriority(int priority, int depth) {
    Admission admission = admission(1, 2, 4, 6);
    submit(admission, 1, "running");
    List<Future<String>> queued = new ArrayList<>();
    for (int i = 0; i < depth; i++) {
      queued.add(submit(admission, priority, "queued-" + i));
    }

    Future<String> over = submit(admission, priority, "over");

    assertStillWaiting(queued.toArray(Future[]::new));
    assertOverloaded(over);
    assertThat(admission.waiting()).isEqualTo(depth);
    assertThat(admission.shedCount(priority)).isEqualTo(1);
    assertThat(started).containsExactly("running");
  }

  @Test
  @DisplayName("an urgent batch arriving at a full queue displaces the newest less urgent waiter")
  void urgentWorkDisplacesLessUrgentWaiters() {
    Admission admission = admission(1, 2, 3, 3);
    submit(admission, 1, "running");
    Future<String> older5 = submit(admission, 5, "older-p5");
    Future<String> newer5 = submit(admission, 5, "newer-p5");
    Future<String> p3 = submit(admission, 3, "p3");

    Future<String> p1 = submit(admission, 1, "p1");

    assertOverloaded(newer5);
    assertStillWaiting(older5, p3, p1);
    assertThat(admission.waitingPriorities(ORG)).containsExactly(1, 3, 5);
    assertThat(admission.shedCount(5)).isEqualTo(1);
  }

  @Test
  @DisplayName("a batch is shed rather than displace waiters as urgent as itself")
  void noDisplacementAmongEquals() {
    Admission admission = admission(1, 0, 0, 2);
    submit(admission, 1, "running");
    Future<String> first = submit(admission, 2, "first");
    Future<String> second = submit(admission, 1, "second");

    Future<String> third = submit(admission, 2, "third");

    assertOverloaded(third);
    assertStillWaiting(first, second);
  }

  @Test
  @DisplayName("a waiter is shed overloaded once it has waited longer than the limit, and never runs")
  void waitersExpire() throws Exception {
    Admission admission = new Admission(vertx, new AdmissionLimits(1, 1, 10, 10, 10, 50));
    submit(admission, 1, "running");

    Future<String> waiting = submit(admission, 1, "waiting");
    waiting.toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(5, TimeUnit.SECONDS);

    assertOverloaded(waiting);
    assertThat(admission.waiting()).isZero();
    assertThat(admission.shedCount(1)).isEqualTo(1);
    finishOldest();
    assertThat(started).containsExactly("running");
    assertThat(admission.running()).isZero();
  }

  @Test
  @DisplayName("queued work starts on the Vert.x context that submitted it, whoever frees the slot")
  void startsOnTheSubmittingContext() throws Exception {
    Admission admission = admission(1, 10, 10, 10);
    submit(admission, 1, "running");
    Context submitter = vertx.getOrCreateContext();
    CompletableFuture<Context> ranOn = new CompletableFuture<>();
    submitter.runOnContext(v -> admission.submit(ORG, 1, () -> {
      ranOn.complete(Vertx.currentContext());
      return Future.succeededFuture();
    }));
    awaitWaiting(admission, 1);

    finishOldest();

    assertThat(ranOn.get(5, TimeUnit.SECONDS)).isSameAs(submitter);
  }

  private static void awaitWaiting(Admission admission, int count) throws InterruptedException {
    for (int attempt = 0; attempt < 500 && admission.waiting() != count; attempt++) {
      Thread.sleep(10);
    }
    assertThat(admission.waiting()).isEqualTo(count);
  }

  @Test
  @DisplayName("priorities outside 1..5 count as the nearest valid one")
  void prioritiesAreClamped() {
    Admission admission = admission(1, 1, 5, 5);
    submit(admission, 1, "running");
    submit(admission, 9, "low");

    Future<String> alsoLow = submit(admission, 42, "also low");
    submit(admission, -3, "urgent");

    assertOverloaded(alsoLow);
    assertThat(admission.waitingPriorities(ORG)).containsExactly(1, 5);
  }

  @Test
  @DisplayName("limits must be ordered: concurrency >= 1, 1 <= organization slots <= concurrency,"
      + " shedLowAt <= shedMediumAt <= queueLimit")
  void limitsAreValidated() {
    assertThatThrownBy(() -> new AdmissionLimits(0, 1, 1, 2, 3, 0)).hasMessageContaining("concurrency");
    assertThatThrownBy(() -> new AdmissionLimits(2, 0, 1, 2, 3, 0)).hasMessageContaining("organization");
    assertThatThrownBy(() -> new AdmissionLimits(2, 3, 1, 2, 3, 0)).hasMessageContaining("organization");
    assertThatThrownBy(() -> new AdmissionLimits(1, 1, 3, 2, 4, 0)).hasMessageContaining("shedLowAt");
    assertThatThrownBy(() -> new AdmissionLimits(1, 1, 1, 5, 4, 0)).hasMessageContaining("queueLimit");
    assertThatThrownBy(() -> new AdmissionLimits(1, 1, 1, 2, 3, -1)).hasMessageContaining("wait");
    assertThat(AdmissionLimits.uniform(2, 1, 7, 0).shedDepth(5)).isEqualTo(7);
  }

  @ParameterizedTest(name = "{1} % of {0} slots is {2}")
  @CsvSource({"8, 50, 4", "4, 50, 2", "3, 50, 1", "1, 50, 1", "8, 100, 8", "8, 99, 7", "2, 1, 1"})
  @DisplayName("an organization's share of the slots is rounded down, at least one, and all of them only at 100 %")
  void organizationShare(int concurrency, int percent, int slots) {
    assertThat(AdmissionLimits.share(concurrency, percent)).isEqualTo(slots);
  }

  @Test
  @DisplayName("an organization's share must be 1 to 100 percent")
  void shareIsValidated() {
    assertThatThrownBy(() -> AdmissionLimits.share(8, 0)).hasMessageContaining("percent");
    assertThatThrownBy(() -> AdmissionLimits.share(8, 101)).hasMessageContaining("percent");
  }
}
