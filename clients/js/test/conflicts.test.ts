import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldMerge, keepLocal, keepRemote, lastWriterWins, type Conflict } from '../src/index.js';
import { device, json, pushedItems } from './fake-gateway.js';

function conflict(local: Record<string, unknown>, remote: Record<string, unknown>, base: Record<string, unknown>,
    times = { local: 1, remote: 2 }): Conflict {
  return { type: 'task', id: 't1', base, detectedAt: 0,
    local: { fields: local, clock: { a: 2 }, deleted: false, updatedAt: times.local },
    remote: { fields: remote, clock: { b: 2 }, deleted: false, updatedAt: times.remote } };
}

describe('resolvers', () => {
  const base = { title: 'T', status: 'todo', description: 'd' };
  const both = conflict({ title: 'Mine', status: 'todo', description: 'd2' }, { title: 'Theirs', status: 'done',
    description: 'd' }, base);

  it('keep local and keep remote take one side whole', () => {
    assert.deepEqual(keepLocal(both), { deleted: false, fields: { title: 'Mine', status: 'todo', description: 'd2' } });
    assert.deepEqual(keepRemote(both), { deleted: false, fields: { title: 'Theirs', status: 'done', description: 'd' } });
  });

  it('field merge takes each side\'s own changes and asks the fallback only for fields both changed', () => {
    assert.deepEqual(fieldMerge()(both), { deleted: false, fields: { title: 'Theirs', status: 'done', description: 'd2' } });
    assert.deepEqual(fieldMerge(keepLocal)(both).deleted === false && fieldMerge(keepLocal)(both),
      { deleted: false, fields: { title: 'Mine', status: 'done', description: 'd2' } });
  });

  it('last writer wins by time; a tie keeps the remote', () => {
    assert.equal((lastWriterWins(conflict({ title: 'L' }, { title: 'R' }, {}, { local: 5, remote: 3 })) as any).fields.title, 'L');
    assert.equal((lastWriterWins(conflict({ title: 'L' }, { title: 'R' }, {}, { local: 3, remote: 3 })) as any).fields.title, 'R');
  });

  it('a deletion on either side is left to the fallback of a field merge', () => {
    const deleted: Conflict = { ...both, remote: { ...both.remote, deleted: true, fields: {} } };
    assert.deepEqual(fieldMerge()(deleted), { deleted: true });
  });
});

describe('conflicts in a sync', () => {
  async function deviceWithConflict() {
    const test = await device();
    const { client, gateway } = test;
    await client.create('task', { title: 'T', status: 'todo' }, 't1');
    await client.sync();
    await client.update('task', 't1', { title: 'Mine' });
    gateway.push = (request) => json(200, { success: true, processed: 0, superseded: [], rejected: [],
      conflicts: pushedItems(request).map((item) => ({ entityType: 'task', entityId: item.id,
        serverVersion: { id: item.id, title: 'T', status: 'done', vectorClock: { 'phone-1': 1, web: 1 }, updatedAt: 9 },
        serverVectorClock: { 'phone-1': 1, web: 1 }, reason: 'Concurrent modification detected' })) });
    return test;
  }

  it('lists a conflict from the push, tells the UI and keeps the local state visible', async () => {
    const { client } = await deviceWithConflict();
    const seen: Conflict[] = [];
    client.on('conflict', (c) => seen.push(c));

    const result = await client.sync();

    assert.equal(result.conflicts, 1);
    assert.equal(seen.length, 1);
    const [open] = await client.conflicts();
    assert.equal(open.local.fields.title, 'Mine');
    assert.equal(open.remote.fields.status, 'done');
    assert.equal((await client.get('task', 't1'))?._status, 'conflict');
    assert.equal((await client.pending()).length, 0, 'nothing is pushed until resolved');
  });

  it('a resolution is queued with a clock that dominates both sides, and pushes as an update', async () => {
    const { client, gateway } = await deviceWithConflict();
    await client.sync();
    const resolved: string[] = [];
    client.on('conflict-resolved', (r) => resolved.push(r.id));

    const row = await client.resolve('task', 't1', 'merge');
    gateway.push = (request) => json(200, { success: true, processed: 1, conflicts: [], superseded: [], rejected: [] });
    await client.sync();

    assert.deepEqual([row.title, row.status], ['Mine', 'done']);
    assert.deepEqual(resolved, ['t1']);
    const pushed = pushedItems(gateway.pushes().at(-1)!)[0];
    assert.equal(pushed.operation, 'update');
    assert.deepEqual(pushed.vectorClock, { 'phone-1': 3, web: 1 });
    assert.equal((await client.conflicts()).length, 0);
    assert.equal((await client.get('task', 't1'))?._status, 'synced');
  });

  it('an edit made while in conflict changes the conflict\'s local side, not the queue', async () => {
    const { client } = await deviceWithConflict();
    await client.sync();

    await client.update('task', 't1', { title: 'Mine, again' });

    assert.equal((await client.pending()).length, 0);
    assert.equal((await client.conflicts())[0].local.fields.title, 'Mine, again');
  });
});
