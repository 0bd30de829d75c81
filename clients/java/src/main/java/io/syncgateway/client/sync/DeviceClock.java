package io.syncgateway.client.sync;

import io.syncgateway.client.store.LocalStore;
import io.syncgateway.clock.VectorClock;
import java.util.Map;

/**
 * The device's counter, persisted in the store. Every local write takes the next value, so no two
 * states this device ever wrote share a clock — not even after a full resync dropped local copies.
 */
public final class DeviceClock {
  static final String COUNTER_KEY = "deviceCounter";

  private final LocalStore store;
  private final String deviceId;

  public DeviceClock(LocalStore store, String deviceId) {
    this.store = store;
    this.deviceId = deviceId;
  }

  public String deviceId() {
    return deviceId;
  }

  /** {@code clock} with this device's entry raised to the next counter value. */
  public VectorClock tick(VectorClock clock) {
    long next = counter() + 1;
    store.putMeta(COUNTER_KEY, Long.toString(next));
    return clock.merge(VectorClock.of(Map.of(deviceId, next)));
  }

  public long counter() {
    return store.meta(COUNTER_KEY).map(Long::parseLong).orElse(0L);
  }

  /** The device's own clock for the push envelope (informational). */
  public VectorClock asClock() {
    return VectorClock.of(Map.of(deviceId, counter()));
  }
}
