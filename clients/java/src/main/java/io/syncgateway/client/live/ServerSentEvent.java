package io.syncgateway.client.live;

/** One event of a {@code text/event-stream}: its {@code event:} name ("message" when absent) and its data lines. */
public record ServerSentEvent(String name, String data) {}
