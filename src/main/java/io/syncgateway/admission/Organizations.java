package io.syncgateway.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The organizations that have work in an admission, and whose turn it is: organizations with
 * waiting work take turns round robin, one operation per turn, skipping those that already hold
 * their share of the slots. An organization is forgotten as soon as it has nothing running or
 * waiting, so what is kept grows with the work in flight, never with the organizations ever seen.
 * Not thread-safe: {@link Admission} guards it.
 */
final class Organizations {
  private final Map<String, OrganizationQueue> byName = new HashMap<>();
  /** The organizations with waiting work, in turn order; each at most once. */
  private final ArrayDeque<OrganizationQueue> turns = new ArrayDeque<>();
  private int waiting;

  OrganizationQueue queue(String organization) {
    return byName.computeIfAbsent(organization, OrganizationQueue::new);
  }

  void enqueue(Waiter waiter) {
    OrganizationQueue queue = waiter.queue;
    if (queue.waiting.isEmpty()) {
      turns.addLast(queue);
    }
    queue.waiting.add(waiter);
    waiting++;
  }

  /** Takes a waiter out of its queue (it was shed or failed); false if it was not waiting any more. */
  boolean remove(Waiter waiter) {
    OrganizationQueue queue = waiter.queue;
    if (!queue.waiting.remove(waiter)) {
      return false;
    }
    waiting--;
    if (queue.waiting.isEmpty()) {
      turns.remove(queue);
    }
    forgetIfIdle(queue);
    return true;
  }

  /**
   * The waiter to start in a free slot: the most urgent of the next organization in turn that holds
   * fewer than {@code slotsPerOrganization}, counted as running; null when no organization may start.
   */
  Waiter startNext(int slotsPerOrganization) {
    for (int remaining = turns.size(); remaining > 0; remaining--) {
      OrganizationQueue queue = turns.pollFirst();
      if (queue.running >= slotsPerOrganization) {
        turns.addLast(queue);
        continue;
      }
      Waiter next = queue.waiting.pollFirst();
      waiting--;
      queue.running++;
      if (!queue.waiting.isEmpty()) {
        turns.addLast(queue);
      }
      return next;
    }
    return null;
  }

  /** One of the queue's operations finished. */
  void finished(OrganizationQueue queue) {
    queue.running--;
    forgetIfIdle(queue);
  }

  void forgetIfIdle(OrganizationQueue queue) {
    if (queue.idle()) {
      byName.remove(queue.organization, queue);
    }
  }

  /** The organization with the most waiters (the one that gives way when every queue together is full). */
  OrganizationQueue longest() {
    OrganizationQueue longest = null;
    for (OrganizationQueue queue : turns) {
      if (longest == null || queue.waiting.size() > longest.waiting.size()) {
        longest = queue;
      }
    }
    return longest;
  }

  /** Takes every waiter out of every queue. */
  List<Waiter> removeAllWaiting() {
    List<Waiter> all = new ArrayList<>(waiting);
    for (OrganizationQueue queue : turns) {
      all.addAll(queue.waiting);
      queue.waiting.clear();
      forgetIfIdle(queue);
    }
    turns.clear();
    waiting = 0;
    return all;
  }

  int waiting() {
    return waiting;
  }

  /** Organizations with work running or waiting. */
  int active() {
    return byName.size();
  }

  List<Integer> waitingPriorities(String organization) {
    OrganizationQueue queue = byName.get(organization);
    List<Integer> priorities = new ArrayList<>();
    if (queue != null) {
      queue.waiting.forEach(waiter -> priorities.add(waiter.priority));
    }
    return priorities;
  }
}
