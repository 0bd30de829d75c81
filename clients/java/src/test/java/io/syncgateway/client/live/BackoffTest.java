package io.syncgateway.client.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Resubscription backoff: exponential, capped, jittered")
class BackoffTest {

  @Test
  @DisplayName("each attempt doubles the delay up to the cap; jitter picks a point in its upper half")
  void doublesUpToCapWithJitter() {
    Backoff lowest = new Backoff(1000, 8000, () -> 0.0);
    Backoff highest = new Backoff(1000, 8000, () -> 0.999_999);
    assertThat(List.of(0, 1, 2, 3, 4, 40)).allSatisfy(attempt -> {
      long nominal = Math.min(8000, 1000L << Math.min(attempt, 30));
      assertThat(lowest.delayMs(attempt)).isEqualTo(nominal / 2);
      assertThat(highest.delayMs(attempt)).isBetween(nominal - 1, nominal);
    });
    assertThat(lowest.nominalMs(40)).isEqualTo(8000);
  }
}
