package io.syncgateway.client.sync;

import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.time.Scheduler;

/** What the phases of a sync cycle work with. */
public record SyncParts(StoreRunner runner, LocalStore store, SyncQueue queue, RemoteChanges remote,
    DeviceClock device, GatewayApi api, SyncClientOptions options, Scheduler scheduler) {}
