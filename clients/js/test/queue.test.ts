import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, DEFAULT_QUEUE_POLICY, priorityOf } from '../src/index.js';
import { device, problem, pushedItems, json } from './fake-gateway.js';

describe('the push queue', () => {
  it('pushes the most urgent change first, then the oldest', async () => {
    const { client, gateway, clock } = await device();
    const task = await client.create('task', { title: 'board' }, 't1');
    await client.sync();
    await client.update('task', task.id, { tags: ['x'] }); // priority 4
    clock.now += 1;
    await client.create('task', { title: 'second' }, 't2'); // priority 1, newer
    clock.now += 1;
    await client.create('comment', { taskId: 't1', content: 'hi' }, 'c1'); // priority 2

    await client.sync();

    const items = gateway.pushes()[1].body.changes;
    assert.deepEqual(items.task.map((i: any) => [i.id, i.priority]), [['t2', 1], ['t1', 4]]);
    assert.deepEqual(items.comment.map((i: any) => [i.id, i.priority]), [['c1', 2]]);
  });

  it('keeps one item per entity: later edits replace the payload, keep the age and the most urgent priority', async () => {
    const { client } = await device();
    await client.create('task', { title: 'a' }, 't1');
    await client.update('task', 't1', { description: 'more' });
    await client.update('task', 't1', { tags: ['z'] });

    const [item] = await client.pending();
    assert.equal((await client.pending()).length, 1);
    assert.equal(item.operation, 'create');
    assert.equal(item.priority, 1);
    assert.deepEqual(item.payload.tags, ['z']);
    assert.deepEqual(item.clock, { 'phone-1': 3 });
  });

  it('sends batches of at most 100 items, gzipped, each with its own batchId and JCS checksums', async () => {
    const { client, gateway } = await device();
    for (let i = 0; i < 250; i++) await client.create('task', { title: `task ${i}` }, `t${i}`);

    const result = await client.sync();

    const pushes = gateway.pushes();
    assert.deepEqual(pushes.map((p) => pushedItems(p).length), [100, 100, 50]);
    assert.ok(pushes.every((p) => p.headers.get('Content-Encoding') === 'gzip'));
    assert.equal(new Set(pushes.map((p) => p.body.batchId)).size, 3);
    assert.ok(pushes.every((p) => p.body.checksumAlgorithm === 'jcs-sha256'));
    assert.match(pushedItems(pushes[0])[0].checksum, /^[0-9a-f]{64}$/);
    assert.equal(result.pushed, 250);
    assert.equal((await client.pending()).length, 0);
    assert.equal((await client.get('task', 't7'))?._status, 'synced');
  });

  it('backs off exponentially after a 503, never sooner than Retry-After, and retries with the same batchId', async () => {
    const { client, gateway, clock } = await device();
    await client.create('task', { title: 'a' }, 't1');
    gateway.push = () => problem(503, 'unavailable', { 'Retry-After': '7' });

    const failed = await client.sync();
    const [waiting] = await client.pending();

    assert.equal(failed.ok, false);
    assert.equal(waiting.retryCount, 1);
    assert.equal(waiting.nextAttemptAt, clock.now + 7_000);
    await client.sync();
    assert.equal(gateway.pushes().length, 1, 'nothing is pushed before the backoff ends');

    clock.now += 7_000;
    gateway.push = (request) => json(200, { success: true, processed: pushedItems(request).length, conflicts: [],
      superseded: [], rejected: [] });
    await client.sync();
    const [first, second] = gateway.pushes();
    assert.equal(second.body.batchId, first.body.batchId);
    assert.equal((await client.pending()).length, 0);
  });

  it('doubles the backoff per retry up to its cap', () => {
    const policy = { ...DEFAULT_QUEUE_POLICY, backoffBaseMs: 1_000, backoffCapMs: 10_000 };
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => backoffMs(policy, n)), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    assert.equal(backoffMs(policy, 1, 30_000), 30_000);
  });

  it('a new edit gets a new batchId: the payload is no longer what the first attempt carried', async () => {
    const { client, gateway, clock } = await device({ queue: { backoffBaseMs: 1 } });
    await client.create('task', { title: 'a' }, 't1');
    gateway.push = () => problem(503, 'unavailable');
    await client.sync();
    await client.update('task', 't1', { title: 'b' });
    clock.now += 10;
    await client.sync();

    const [first, second] = gateway.pushes();
    assert.notEqual(second.body.batchId, first.body.batchId);
  });

  it('moves an item to the failed queue after its retries, never dropping it; retry and discard are explicit', async () => {
    const { client, gateway, clock } = await device({ queue: { maxRetries: 2, backoffBaseMs: 1 } });
    await client.create('task', { title: 'doomed' }, 't1');
    const failedEvents: unknown[] = [];
    client.on('failed', (item) => failedEvents.push(item));
    gateway.push = () => problem(503, 'unavailable');
    for (let i = 0; i < 3; i++) {
      await client.sync();
      clock.now += 1_000;
    }

    const [failed] = await client.failed();
    assert.equal((await client.pending()).length, 0);
    assert.match(failed.reason, /gave up after 2 retries/);
    assert.equal(failedEvents.length, 1);
    assert.equal((await client.get('task', 't1'))?._status, 'failed');

    await client.retryFailed(failed.seq);
    assert.equal((await client.pending()).length, 1);
    assert.equal((await client.failed()).length, 0);
  });

  it('discarding a failed create removes the entity the server never had', async () => {
    const { client, gateway } = await device();
    await client.create('task', { title: 'x' }, 't1');
    gateway.push = (request) => json(200, { success: true, processed: 0, conflicts: [], superseded: [],
      rejected: pushedItems(request).map((i) => ({ entityType: 'task', entityId: i.id, code: 'validation',
        message: 'title too long', retryable: false })) });
    await client.sync();
    const [failed] = await client.failed();
    assert.match(failed.reason, /validation: title too long/);

    await client.discardFailed(failed.seq);

    assert.equal((await client.failed()).length, 0);
    assert.equal(await client.get('task', 't1'), undefined);
  });

  it('rates changes by the design rules', () => {
    assert.equal(priorityOf('task', 'create', ['title']), 1);
    assert.equal(priorityOf('task', 'update', ['status', 'tags']), 1);
    assert.equal(priorityOf('task', 'update', ['assignedTo']), 2);
    assert.equal(priorityOf('comment', 'delete', []), 2);
    assert.equal(priorityOf('task', 'update', ['dueDate']), 3);
    assert.equal(priorityOf('task', 'update', ['customFields']), 4);
    assert.equal(priorityOf('task', 'update', ['position']), 5);
  });
});
