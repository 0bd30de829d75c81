import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { checksumOf, compareClocks, createSyncClient, mergeClocks } from '../src/index.js';
import { device, emptyPage, json, problem } from './fake-gateway.js';

function page(body: Record<string, unknown>): Response {
  return json(200, { tasks: [], comments: [], attachments: [], tombstones: [], hasMore: false, cursor: 'c',
    timestamp: 1, retention: { retentionMs: 1_000_000, horizon: 0 }, ...body });
}

async function serverTask(id: string, clock: Record<string, number>, fields: Record<string, unknown>) {
  const entity = { id, ...fields, vectorClock: clock, version: 1, updatedAt: 5 };
  return { ...entity, checksum: await checksumOf(entity) };
}

describe('sync cycles', () => {
  it('runs one cycle at a time: calls during a cycle share one follow-up', async () => {
    const { client, gateway } = await device();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    gateway.pull = async () => {
      await gate;
      return emptyPage();
    };

    const first = client.sync();
    const others = [client.sync(), client.sync(), client.sync()];
    release();
    await Promise.all([first, ...others]);

    assert.equal(gateway.pulls().length, 2);
    assert.equal(others[0], others[2], 'the waiting calls share one promise');
  });

  it('follows hasMore page by page and keeps the cursor', async () => {
    const { client, gateway } = await device();
    const pages = [page({ tasks: [await serverTask('a', { web: 1 }, { title: 'A' })], hasMore: true, cursor: 'p1' }),
      page({ tasks: [await serverTask('b', { web: 2 }, { title: 'B' })], cursor: 'p2' })];
    gateway.pull = () => pages.shift() ?? page({ cursor: 'p2' });

    await client.sync();
    await client.sync();

    assert.deepEqual(gateway.pulls().map((p) => p.url.searchParams.get('since')), ['0', 'p1', 'p2']);
    assert.equal(gateway.pulls()[0].url.searchParams.get('deviceId'), 'phone-1');
    assert.deepEqual((await client.query('task')).map((t) => t.title).sort(), ['A', 'B']);
  });

  it('refuses a pulled entity whose checksum does not match', async () => {
    const { client, gateway } = await device();
    const tampered = { ...(await serverTask('a', { web: 1 }, { title: 'A' })), title: 'changed in transit' };
    gateway.pull = () => page({ tasks: [tampered] });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));

    const result = await client.sync();

    assert.equal(result.ok, false);
    assert.match(errors[0], /checksum mismatch/);
    assert.equal(await client.get('task', 'a'), undefined);
  });

  it('on 410 drops synced copies, keeps unpushed changes and pulls everything again', async () => {
    const { client, gateway } = await device();
    gateway.pull = async () => page({ tasks: [await serverTask('old', { web: 1 }, { title: 'Old' })], cursor: 'c1' });
    await client.sync();
    gateway.push = () => problem(503, 'unavailable'); // the local change stays unpushed
    await client.create('task', { title: 'mine, offline' }, 'mine');
    const resyncs: string[] = [];
    client.on('resync', (e) => resyncs.push(e.reason));
    gateway.pull = async (request) => request.url.searchParams.get('since') === 'c1'
      ? problem(410, 'resync_required')
      : page({ tasks: [await serverTask('new', { web: 2 }, { title: 'New' })], cursor: 'c9' });

    await client.sync(); // the push fails: the cycle ends before its pull
    await client.sync(); // the item waits for its backoff; the pull meets 410 and starts over

    const afterResync = gateway.pulls().at(-1)!;
    assert.equal(afterResync.url.searchParams.get('since'), '0');
    assert.equal(afterResync.url.searchParams.get('deviceId'), null, 'own writes come back too');
    assert.deepEqual((await client.query('task')).map((t) => t.id).sort(), ['mine', 'new']);
    assert.equal((await client.pending()).length, 1);
    assert.equal(resyncs.length, 1);
  });

  it('warns when the device has not pulled for most of the retention period', async () => {
    const { client, gateway, clock } = await device();
    gateway.pull = () => page({ timestamp: clock.now });
    await client.sync();
    const warnings: number[] = [];
    client.on('retention-warning', (w) => warnings.push(w.remainingMs));

    clock.now += 800_000; // of 1 000 000
    await client.sync();

    assert.equal(warnings.length, 1);
    assert.equal(warnings[0], 200_000);
  });

  it('applies a pulled tombstone of a task to its comments, failing their unpushed edits', async () => {
    const { client, gateway } = await device();
    gateway.pull = async () => page({ tasks: [await serverTask('t1', { web: 1 }, { title: 'T' })] });
    await client.sync();
    gateway.push = () => problem(503, 'unavailable');
    await client.create('comment', { taskId: 't1', content: 'typed offline' }, 'c1');
    gateway.pull = () => page({ tombstones: [{ entityType: 'task', entityId: 't1', deletedAt: 9,
      vectorClock: { web: 2 } }] });

    await client.sync(); // the push fails: the cycle ends before its pull
    await client.sync(); // the comment waits for its backoff; the tombstone arrives

    assert.equal(await client.get('task', 't1'), undefined);
    assert.equal(await client.get('comment', 'c1'), undefined);
    assert.match((await client.failed())[0].reason, /missing_parent/);
  });

  it('keeps everything across a reload: entities, queue and the device counter', async () => {
    const first = await device();
    await first.client.create('task', { title: 'a' }, 't1');
    await first.client.create('task', { title: 'b' }, 't2');
    await first.client.update('task', 't1', { status: 'done' });
    first.client.close();

    const reopened = await createSyncClient(first.options);
    await reopened.create('task', { title: 'c' }, 't3');

    assert.deepEqual((await reopened.pending()).map((i) => i.id).sort(), ['t1', 't2', 't3']);
    assert.equal((await reopened.get('task', 't1'))?.status, 'done');
    assert.deepEqual((await reopened.pending()).find((i) => i.id === 't3')?.clock, { 'phone-1': 4 });
    await reopened.sync();
    assert.equal(first.gateway.pushes().length, 1);
    assert.equal((await reopened.pending()).length, 0);
  });

  it('does not go out while offline', async () => {
    const { client, gateway } = await device();
    client.setOnline(false);
    const result = await client.sync();
    assert.equal(result.skipped, 'offline');
    assert.equal(gateway.requests.length, 0);
  });

  it('opens its circuit breaker after repeated failures and fails fast until it resets', async () => {
    const { client, gateway, clock } = await device({ breaker: { threshold: 2, resetMs: 10_000 } });
    gateway.pull = () => problem(503, 'unavailable');
    await client.sync();
    await client.sync();
    const blocked = await client.sync();
    assert.equal(blocked.skipped, 'breaker-open');
    assert.equal(gateway.requests.length, 2);

    clock.now += 10_000;
    gateway.pull = () => emptyPage();
    assert.equal((await client.sync()).ok, true);
    assert.equal((await client.status()).breaker, 'closed');
  });
});

describe('clocks and checksums', () => {
  it('compares and merges vector clocks', () => {
    assert.equal(compareClocks({ a: 2 }, { a: 1 }), 'AFTER');
    assert.equal(compareClocks({ a: 1 }, { a: 1, b: 0 }), 'EQUAL');
    assert.equal(compareClocks({ a: 1 }, { b: 1 }), 'CONCURRENT');
    assert.equal(compareClocks({}, { b: 1 }), 'BEFORE');
    assert.deepEqual(mergeClocks({ a: 3, b: 1 }, { b: 2, c: 1 }), { a: 3, b: 2, c: 1 });
  });

  it('hashes the RFC 8785 form without checksum, operation, priority, changedFields and _ keys', async () => {
    const canonical = '{"id":"t1","title":"Ünïcode","vectorClock":{"a":1,"b":2},"z":1.5}';
    const expected = createHash('sha256').update(canonical).digest('hex');
    assert.equal(await checksumOf({ z: 1.5, vectorClock: { b: 2, a: 1 }, title: 'Ünïcode', id: 't1',
      checksum: 'x', operation: 'update', priority: 1, changedFields: ['z'], _local: true }), expected);
  });
});
