package io.syncgateway.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.decode.StrictJsonParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MemoryBudget: reservations, bounded waits and refusals")
class MemoryBudgetTest {
  private static final long MB = 1024 * 1024;

  private final Vertx vertx = Vertx.vertx();
  private final List<String> refused = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  private MemoryBudget budget(long capacity, long maxWaitMs) {
    return new MemoryBudget(vertx, capacity, maxWaitMs, refused::add);
  }

  @Test
  @DisplayName("a reservation that fits is granted at once and given back on release (twice is harmless)")
  void grantsAndReleases() {
    MemoryBudget budget = budget(10 * MB, 1000);
    Reservation first = budget.reserve(4 * MB, "test").await();
    Reservation second = budget.reserve(6 * MB, "test").await();
    assertThat(budget.reserved()).isEqualTo(10 * MB);
    first.release();
    first.release();
    assertThat(budget.reserved()).isEqualTo(6 * MB);
    second.shrinkTo(MB);
    assertThat(budget.reserved()).isEqualTo(MB);
    second.release();
    assertThat(budget.reserved()).isZero();
  }

  @Test
  @DisplayName("over the budget a reservation waits, and waiters are granted first come, first served")
  void waitsInOrder() {
    MemoryBudget budget = budget(10 * MB, 5000);
    Reservation held = budget.reserve(8 * MB, "test").await();
    List<String> order = new CopyOnWriteArrayList<>();
    Future<Reservation> big = budget.reserve(9 * MB, "test").onSuccess(r -> order.add("big"));
    Future<Reservation> small = budget.reserve(MB, "test").onSuccess(r -> order.add("small"));
    assertThat(budget.waiting()).as("a small one does not overtake a big one that waits").isEqualTo(2);
    held.release();
    big.await().release();
    small.await();
    assertThat(order).containsExactly("big", "small");
    assertThat(refused).isEmpty();
  }

  @Test
  @DisplayName("a wait is bounded: then 503 overloaded, counted by use, and the queue moves on")
  void refusesAfterTheWait() {
    MemoryBudget budget = budget(10 * MB, 100);
    Reservation held = budget.reserve(10 * MB, "test").await();
    long started = System.nanoTime();
    assertThatThrownBy(() -> budget.reserve(MB, "pull").await())
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    assertThat((System.nanoTime() - started) / 1_000_000).isBetween(90L, 3000L);
    assertThat(refused).containsExactly("pull");
    assertThat(budget.waiting()).isZero();
    held.release();
    assertThat(budget.reserved()).isZero();
  }

  @Test
  @DisplayName("without a wait, a reservation that does not fit is refused at once")
  void refusesAtOnceWithoutWait() {
    MemoryBudget budget = budget(10 * MB, 0);
    budget.reserve(10 * MB, "test").await();
    assertThatThrownBy(() -> budget.reserve(1, "push-body").await()).isInstanceOf(GatewayException.class);
    assertThat(refused).containsExactly("push-body");
  }

  @Test
  @DisplayName("work larger than the whole budget is cut to it: it runs alone instead of never")
  void largerThanTheBudgetRunsAlone() {
    MemoryBudget budget = budget(10 * MB, 1000);
    Reservation huge = budget.reserve(50 * MB, "test").await();
    assertThat(huge.bytes()).isEqualTo(10 * MB);
    huge.release();
  }

  @Test
  @DisplayName("growing never waits: it takes what is free or nothing; shrinking lets a waiter in")
  void growsWithoutWaiting() {
    MemoryBudget budget = budget(10 * MB, 5000);
    Reservation growing = budget.reserve(2 * MB, "test").await();
    assertThat(growing.grow(7 * MB)).isTrue();
    assertThat(growing.grow(2 * MB)).isFalse();
    assertThat(budget.reserved()).isEqualTo(9 * MB);
    Future<Reservation> waiter = budget.reserve(5 * MB, "test");
    assertThat(waiter.isComplete()).isFalse();
    growing.shrinkTo(3 * MB);
    assertThat(waiter.await().bytes()).isEqualTo(5 * MB);
    growing.release();
    assertThat(growing.grow(MB)).as("a released reservation cannot grow").isFalse();
  }

  @Test
  @DisplayName("a meter grows its reservation ahead of the work in steps, and stops it with overloaded")
  void meterGrowsThenRefuses() {
    MemoryBudget budget = budget(4 * MB, 1000);
    Reservation reservation = budget.reserve(MB, "test").await();
    MemoryMeter meter = MemoryMeter.of(reservation);
    meter.charge(MB + 1);
    assertThat(reservation.bytes()).isEqualTo(MB + MemoryMeter.STEP_BYTES);
    meter.credit(MB);
    meter.charge(MB);
    assertThat(reservation.bytes()).as("credited bytes are reused first").isEqualTo(MB + MemoryMeter.STEP_BYTES);
    assertThatThrownBy(() -> meter.charge(4 * MB))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    reservation.release();
    assertThat(budget.reserved()).isZero();
  }

  @Test
  @DisplayName("a small body whose JSON tree would not fit (many empty objects) stops while it is parsed")
  void parserStopsAHostileTree() {
    StringBuilder json = new StringBuilder("{\"a\":[{}");
    json.append(",{}".repeat(200_000)).append("]}");
    byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
    MemoryBudget budget = budget(4 * MB, 1000);
    Reservation reservation = budget.reserve(body.length, "test").await();
    assertThatThrownBy(() -> new StrictJsonParser(32).parseObject(body, MemoryMeter.of(reservation)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    reservation.release();

    MemoryMeter unlimited = MemoryMeter.unlimited();
    new StrictJsonParser(32).parseObject(body, unlimited);
    assertThat(unlimited.live()).as("the tree's estimate, about 26 times the body or more")
        .isGreaterThan(20L * body.length);
  }

  @Test
  @DisplayName("a pull reserves for its page's data cap, not for limit × the largest entity")
  void pullPageEstimate() {
    long small = PullPageMemory.estimate(1, 4 * MB);
    long full = PullPageMemory.estimate(1000, 4 * MB);
    assertThat(small).isLessThan(2 * MB);
    assertThat(full).isBetween(12 * MB, 32 * MB);
    List<Long> growing = new ArrayList<>();
    for (int limit : new int[] {1, 10, 100, 1000}) {
      growing.add(PullPageMemory.estimate(limit, 4 * MB));
    }
    assertThat(growing).isSorted();
  }
}
