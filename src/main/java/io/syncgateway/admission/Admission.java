package io.syncgateway.admission;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.List;
import java.util.function.Supplier;

/**
 * A process's own admission control for database work, fair across organizations: at most
 * {@code concurrency} operations run at once and at most {@code organizationSlots} of them for one
 * organization, so one organization can never hold every slot. Each organization waits in a queue
 * of its own, most urgent priority first (1 … 5), first come first served within a priority; the
 * organizations with waiting work take turns, one operation each, round robin. A client-declared
 * priority therefore orders work within its own organization only (PROTOCOL §7 v1.1).
 *
 * <p>Shedding is decided per organization: when an organization's own queue is deep, its
 * low-priority work is shed with 503 {@code overloaded} (see {@link AdmissionLimits}); when the
 * queues of all organizations together are full, the longest queue gives way. A flooding
 * organization thus sheds its own work, never another's. Work that waits longer than the limit is
 * shed too. While what the admission protects is down, work is refused at once ({@link #refuseAll},
 * {@link #refuseWaiting}) instead of waiting for slots held by operations that may never answer.
 * This protects this process only: correctness never depends on it.
 *
 * <p>Thread-safe, so all instances of a verticle can share one (it is {@link Shareable}). Admitted
 * work starts on the Vert.x context that submitted it.
 */
public final class Admission implements Shareable {
  public static final int MOST_URGENT = 1;
  public static final int LEAST_URGENT = 5;

  /** What new work may do: wait for a slot (normal), only take a free one, or nothing. */
  private enum Intake { WAIT, NO_WAITING, NONE }

  private final Vertx vertx;
  private final AdmissionLimits limits;
  private final Organizations organizations = new Organizations();
  private final long[] shed = new long[LEAST_URGENT + 1];
  private Intake intake = Intake.WAIT;
  private GatewayException refusal;
  private long refused;
  private int running;
  private long arrivals;

  public Admission(Vertx vertx, AdmissionLimits limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  /**
   * Runs {@code work} of {@code organization} when a slot is free for it, or fails it without
   * running it ({@code overloaded} when shed, the refusal while refusing). The slot is held until the
   * future {@code work} returns completes, and freed as soon as it does.
   */
  public <T> Future<T> submit(String organization, int priority, Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    int urgency = Math.max(MOST_URGENT, Math.min(LEAST_URGENT, priority));
    OrganizationQueue queue;
    Waiter queued = null;
    Waiter shedOne = null;
    GatewayException refusedWith = null;
    synchronized (this) {
      queue = organizations.queue(organization);
      if (intake != Intake.NONE && canStartAtOnce(queue)) {
        running++;
        queue.running++;
      } else if (intake != Intake.WAIT) {
        refusedWith = refusal;
        refused++;
        organizations.forgetIfIdle(queue);
      } else {
        queued = new Waiter(queue, urgency, arrivals++, Vertx.currentContext(), () -> run(work, result, queue), result);
        shedOne = enqueueOrShed(queued);
      }
    }
    if (refusedWith != null) {
      result.fail(refusedWith);
    } else if (queued == null) {
      run(work, result, queue);
    } else if (shedOne != queued) {
      startExpiryTimer(queued);
    }
    if (shedOne != null) {
      fail(shedOne, new GatewayException(ErrorCode.OVERLOADED,
          "The gateway is overloaded: priority " + shedOne.priority + " work is shed first; retry later"));
    }
    return result.future();
  }

  /** A free slot that the organization may take, and none of its own work waiting ahead. */
  private boolean canStartAtOnce(OrganizationQueue queue) {
    return running < limits.concurrency() && queue.running < organizationSlots() && queue.waiting.isEmpty();
  }

  /**
   * How many slots one organization may hold now: its share while other organizations have work; all
   * slots but one while it is alone, so a single busy organization is not held to half the database,
   * and an organization that arrives still finds the spare slot at once (then the share applies again,
   * and the slots the busy one frees go to the newcomer first).
   */
  private int organizationSlots() {
    return organizations.active() <= 1
        ? Math.max(limits.organizationSlots(), limits.concurrency() - 1) : limits.organizationSlots();
  }

  /**
   * Queues the newcomer, or decides who is shed. When its organization's queue is as deep as the
   * newcomer's priority tolerates, the newest waiter of that organization with a less urgent
   * priority makes room, or else the newcomer is shed. When the queues of all organizations
   * together are full, the organization with the most waiters gives way (its least urgent, newest
   * waiter) unless that is the newcomer's own, which then decides as above.
   * Returns the waiter that was shed, if any.
   */
  private Waiter enqueueOrShed(Waiter newcomer) {
    OrganizationQueue own = newcomer.queue;
    Waiter shedOne = null;
    if (own.waiting.size() >= limits.shedDepth(newcomer.priority)) {
      shedOne = lessUrgentOrNewcomer(own, newcomer);
    } else if (organizations.waiting() >= limits.queueLimit()) {
      OrganizationQueue longest = organizations.longest();
      shedOne = longest.waiting.size() > own.waiting.size() ? longest.leastUrgent() : lessUrgentOrNewcomer(own, newcomer);
    }
    if (shedOne != null) {
      shed[shedOne.priority]++;
    }
    if (shedOne == newcomer) {
      organizations.forgetIfIdle(own);
      return shedOne;
    }
    if (shedOne != null) {
      organizations.remove(shedOne);
    }
    organizations.enqueue(newcomer);
    return shedOne;
  }

  private static Waiter lessUrgentOrNewcomer(OrganizationQueue own, Waiter newcomer) {
    return !own.waiting.isEmpty() && own.leastUrgent().priority > newcomer.priority ? own.leastUrgent() : newcomer;
  }

  /**
   * From now on new work fails at once with {@code reason}, and so does every waiter: for while the
   * database is known to be down, so that nobody waits for slots held by operations that may hang.
   */
  public void refuseAll(GatewayException reason) {
    refuse(Intake.NONE, reason);
  }

  /**
   * From now on new work runs only if a slot is free for it at once; work that would have to wait
   * fails with {@code reason}, and so does every waiter: for while the database is being probed.
   */
  public void refuseWaiting(GatewayException reason) {
    refuse(Intake.NO_WAITING, reason);
  }

  /** Back to normal: new work waits for a slot again. */
  public synchronized void admitAll() {
    intake = Intake.WAIT;
    refusal = null;
  }

  private void refuse(Intake restricted, GatewayException reason) {
    List<Waiter> waiters;
    synchronized (this) {
      intake = restricted;
      refusal = reason;
      waiters = organizations.removeAllWaiting();
      refused += waiters.size();
    }
    waiters.forEach(waiter -> fail(waiter, reason));
  }

  /** Operations running now. */
  public synchronized int running() {
    return running;
  }

  /** Operations waiting for a slot now. */
  public synchronized int waiting() {
    return organizations.waiting();
  }

  /** Organizations with operations running or waiting now. */
  public synchronized int organizations() {
    return organizations.active();
  }

  /** How many operations of this priority were shed since start. */
  public synchronized long shedCount(int priority) {
    return shed[priority];
  }

  /** How many operations were refused (see {@link #refuseAll}) since start. */
  public synchronized long refusedCount() {
    return refused;
  }

  public AdmissionLimits limits() {
    return limits;
  }

  /** For tests and diagnostics: the priorities of an organization's waiters, in the order they will start. */
  public synchronized List<Integer> waitingPriorities(String organization) {
    return organizations.waitingPriorities(organization);
  }

  private <T> void run(Supplier<Future<T>> work, Promise<T> result, OrganizationQueue queue) {
    Future<T> outcome;
    try {
      outcome = work.get();
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(done -> {
      release(queue);
      result.handle(done);
    });
  }

  /** Frees the slot and gives it to the organization whose turn it is, if any may take it. */
  private void release(OrganizationQueue queue) {
    Waiter next;
    synchronized (this) {
      running--;
      organizations.finished(queue);
      next = organizations.startNext(organizationSlots());
      if (next != null) {
        running++;
      }
    }
    if (next != null) {
      Waiter starting = next;
      cancelTimer(starting);
      onContextOf(starting, starting.start);
    }
  }

  private void startExpiryTimer(Waiter waiter) {
    if (limits.maxWaitMs() <= 0) {
      return;
    }
    long id = vertx.setTimer(limits.maxWaitMs(), fired -> expire(waiter));
    synchronized (this) {
      waiter.timerId = id;
    }
  }

  private void expire(Waiter waiter) {
    synchronized (this) {
      if (!organizations.remove(waiter)) {
        return; // admitted, shed or refused meanwhile
      }
      shed[waiter.priority]++;
    }
    fail(waiter, new GatewayException(ErrorCode.OVERLOADED,
        "The gateway is overloaded: the request waited " + limits.maxWaitMs() + " ms; retry later"));
  }

  private void fail(Waiter waiter, GatewayException reason) {
    cancelTimer(waiter);
    onContextOf(waiter, () -> waiter.result.tryFail(reason));
  }

  private void cancelTimer(Waiter waiter) {
    long id;
    synchronized (this) {
      id = waiter.timerId;
    }
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }

  private static void onContextOf(Waiter waiter, Runnable action) {
    if (waiter.context == null) {
      action.run();
    } else {
      waiter.context.runOnContext(v -> action.run());
    }
  }
}
