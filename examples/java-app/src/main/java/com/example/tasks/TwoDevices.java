package com.example.tasks;

import io.syncgateway.client.SyncClient;
import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.SyncResult;
import io.syncgateway.client.store.InMemoryLocalStore;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Two devices of one user sync through a gateway: the laptop creates a task with a comment, the
 * phone receives both and marks the task done, the laptop sees it. Usage:
 * {@code TwoDevices GATEWAY_URL TOKEN}.
 */
public final class TwoDevices {
  private TwoDevices() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: TwoDevices GATEWAY_URL TOKEN");
      System.exit(2);
    }
    SyncClientOptions options = SyncClientOptions.of(args[0], args[1]);
    Vertx vertx = Vertx.vertx();
    try {
      SyncClient laptop = SyncClient.open(vertx, new InMemoryLocalStore(), options).await();
      SyncClient phone = SyncClient.open(vertx, new InMemoryLocalStore(), options).await();

      LocalEntity task = laptop.create(EntityType.TASK, new JsonObject().put("title", "Buy milk")).await();
      laptop.create(EntityType.COMMENT, new JsonObject().put("taskId", task.id()).put("content", "2 litres")).await();
      sync("laptop", laptop);
      sync("phone", phone);
      System.out.println("phone sees " + phone.list(EntityType.TASK).await().size() + " task(s) and "
          + phone.list(EntityType.COMMENT).await().size() + " comment(s)");

      phone.update(EntityType.TASK, task.id(), new JsonObject().put("status", "done")).await();
      sync("phone", phone);
      sync("laptop", laptop);
      String status = laptop.get(EntityType.TASK, task.id()).await().orElseThrow().fields().getString("status");
      System.out.println("laptop sees the task as " + status);
      if (!"done".equals(status)) {
        throw new IllegalStateException("the devices did not converge");
      }
      laptop.close();
      phone.close();
    } catch (RuntimeException e) {
      System.err.println("failed: " + e.getMessage());
      System.exit(1);
    } finally {
      vertx.close().await();
    }
  }

  private static void sync(String device, SyncClient client) {
    SyncResult result = client.syncNow().await();
    if (!result.succeeded()) {
      throw new IllegalStateException(device + " could not sync: " + result.error());
    }
    System.out.println(device + " synced: pushed " + result.pushed() + ", pulled " + result.pulled());
  }
}
