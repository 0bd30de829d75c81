package io.syncgateway.admission;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * One organization's part of an admission: how many of its operations run, and its own wait queue,
 * most urgent priority first and in arrival order within a priority. Priorities are compared only
 * here, inside one organization (PROTOCOL §7 v1.1).
 */
final class OrganizationQueue {
  private static final Comparator<Waiter> MOST_URGENT_FIRST =
      Comparator.<Waiter>comparingInt(waiter -> waiter.priority).thenComparingLong(waiter -> waiter.arrival);

  final String organization;
  final TreeSet<Waiter> waiting = new TreeSet<>(MOST_URGENT_FIRST);
  int running;

  OrganizationQueue(String organization) {
    this.organization = organization;
  }

  boolean idle() {
    return running == 0 && waiting.isEmpty();
  }

  /** The waiter that gives way when this queue is too deep: the newest of its least urgent priority. */
  Waiter leastUrgent() {
    return waiting.last();
  }
}
