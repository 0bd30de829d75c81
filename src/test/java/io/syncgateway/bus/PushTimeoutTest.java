package io.syncgateway.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PROTOCOL §3 v1.1: a push whose later stage did not answer in time may still commit. */
@DisplayName("A push stage's timeout never claims that nothing was applied")
class PushTimeoutTest {

  @Test
  @DisplayName("a timeout of the next stage becomes 503 unavailable saying the outcome is unknown")
  void timeoutIsUnknownOutcome() {
    Throwable mapped = BusErrors.timeoutLeavesPushOutcomeUnknown(
        new ReplyException(ReplyFailure.TIMEOUT, "Timed out after waiting 20000(ms)")).cause();

    GatewayException failure = (GatewayException) mapped;
    assertThat(failure.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(failure.detail()).contains("unknown").doesNotContain("nothing was applied");
  }

  @Test
  @DisplayName("any other failure passes unchanged (a stage that answered knows what happened)")
  void otherFailuresPassUnchanged() {
    ReplyException refused = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "overloaded: retry later");

    assertThat(BusErrors.timeoutLeavesPushOutcomeUnknown(refused).cause()).isSameAs(refused);
  }
}
