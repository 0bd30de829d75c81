package io.syncgateway.client.live;

import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.time.Scheduler;
import java.util.function.Consumer;

/**
 * Keeps a subscription to the gateway's live updates and turns its events into pokes: every
 * {@code changes} event, and every (re)connection (changes may have been missed while the stream
 * was down), pokes once; the sync engine coalesces pokes. A stream that ends or cannot be opened is
 * reopened with backoff, and not before {@code Retry-After} when the gateway gives one; {@code
 * reauthenticate} renews the token and reopens at once, and a 401 renews it before the next
 * attempt. A gateway without the endpoint is not asked again until the next {@link #start()}:
 * periodic syncs carry on meanwhile, as they always do.
 */
public final class LiveUpdates {
  private static final String CHANGES = "changes";
  private static final String REAUTHENTICATE = "reauthenticate";

  /** Where the subscription stands. */
  public enum State { STOPPED, CONNECTING, CONNECTED, WAITING, UNAVAILABLE }

  private final EventStream stream;
  private final Scheduler scheduler;
  private final Backoff backoff;
  private final Runnable poke;
  private final Consumer<SyncEvent> publisher;
  private State state = State.STOPPED;
  private EventStream.Subscription subscription;
  private Scheduler.Cancellable retry;
  private int failedAttempts;
  private boolean reauthenticate;
  // Callbacks of a stream or attempt that was given up on must not act on the current one.
  private long generation;

  public LiveUpdates(EventStream stream, Scheduler scheduler, Backoff backoff, Runnable poke,
      Consumer<SyncEvent> publisher) {
    this.stream = stream;
    this.scheduler = scheduler;
    this.backoff = backoff;
    this.poke = poke;
    this.publisher = publisher;
  }

  public synchronized State state() {
    return state;
  }

  /** Subscribes unless already subscribed (or waiting to retry). */
  public synchronized void start() {
    if (state == State.STOPPED || state == State.UNAVAILABLE) {
      failedAttempts = 0;
      connect();
    }
  }

  public synchronized void stop() {
    generation++;
    state = State.STOPPED;
    if (retry != null) {
      retry.cancel();
      retry = null;
    }
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }

  private void connect() {
    long attempt = ++generation;
    state = State.CONNECTING;
    retry = null;
    reauthenticate = false;
    stream.open(event -> received(attempt, event), reason -> ended(attempt, reason))
        .onSuccess(opened -> opened(attempt, opened))
        .onFailure(error -> refused(attempt, error));
  }

  private void opened(long attempt, EventStream.Subscription opened) {
    synchronized (this) {
      if (attempt != generation) {
        opened.close();
        return;
      }
      subscription = opened;
      state = State.CONNECTED;
      failedAttempts = 0;
    }
    publisher.accept(SyncEvent.cycle(SyncEvent.Type.LIVE_CONNECTED, "live updates on"));
    poke.run();
  }

  private void received(long attempt, ServerSentEvent event) {
    boolean changes;
    synchronized (this) {
      if (attempt != generation) {
        return;
      }
      reauthenticate |= REAUTHENTICATE.equals(event.name());
      changes = CHANGES.equals(event.name());
    }
    if (changes) {
      poke.run();
    }
  }

  private synchronized void ended(long attempt, String reason) {
    if (attempt != generation) {
      return;
    }
    subscription = null;
    if (reauthenticate) {
      publisher.accept(SyncEvent.cycle(SyncEvent.Type.LIVE_DISCONNECTED, "token expired; reconnecting"));
      state = State.CONNECTING;
      stream.renewCredentials().onComplete(renewed -> reconnectAfterRenewal(attempt));
    } else {
      retryLater(backoff.delayMs(failedAttempts++), reason);
    }
  }

  /** Reconnects (with whatever token there is: a failed renewal makes the attempt fail and back off). */
  private synchronized void reconnectAfterRenewal(long attempt) {
    if (attempt == generation) {
      connect();
    }
  }

  private synchronized void refused(long attempt, Throwable error) {
    if (attempt != generation) {
      return;
    }
    if (error instanceof StreamRefused refusal && refusal.endpointMissing()) {
      state = State.UNAVAILABLE;
      publisher.accept(SyncEvent.cycle(SyncEvent.Type.LIVE_UNAVAILABLE,
          "the gateway has no live updates (" + error.getMessage() + "); relying on periodic syncs"));
      return;
    }
    if (error instanceof StreamRefused refusal && refusal.status() == 401) {
      stream.renewCredentials();
    }
    // Never sooner than the gateway asked, nor than our own backoff (a Retry-After of 0 must not
    // turn into a reconnection storm).
    long ownDelay = backoff.delayMs(failedAttempts++);
    long delay = error instanceof StreamRefused refusal ? Math.max(refusal.retryAfterMs(), ownDelay) : ownDelay;
    retryLater(delay, String.valueOf(error.getMessage()));
  }

  private void retryLater(long delayMs, String reason) {
    state = State.WAITING;
    publisher.accept(SyncEvent.cycle(SyncEvent.Type.LIVE_DISCONNECTED, reason + "; retrying in " + delayMs + " ms"));
    long attempt = generation;
    retry = scheduler.schedule(delayMs, () -> retryNow(attempt));
  }

  private synchronized void retryNow(long attempt) {
    if (attempt == generation && state == State.WAITING) {
      connect();
    }
  }
}
