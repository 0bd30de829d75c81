// End to end in headless Chromium: the demo task board served by a real gateway (java -jar, its
// own embedded PostgreSQL), two isolated browser contexts as two devices of two users.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchChromium } from './browser.mjs';
import { freePort, startGateway, token } from './gateway.mjs';

const here = new URL('..', import.meta.url).pathname;
const SHOTS = join(here, 'target/e2e-screenshots');
const WAIT = { timeout: 15_000 };

let gateway;
let browser;
let alice;
let bob;
const org = `board-${Date.now()}`;

async function openDevice(user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user}] page error: ${error.message}`));
  await page.goto(`${gateway.url}/demo/#token=${token(user, org)}`);
  await page.getByTestId('who').filter({ hasText: user }).waitFor(WAIT);
  await page.locator('#state').filter({ hasText: 'live' }).waitFor(WAIT);
  return page;
}

const card = (page, title) => page.getByTestId('task').filter({ has: page.getByTestId('task-title').getByText(title, { exact: true }) });
const counter = async (page, name) => Number(await page.locator(`#${name}`).textContent());

async function waitForCounter(page, name, value) {
  await page.waitForFunction(([id, expected]) => document.getElementById(id)?.textContent === String(expected),
    [name, value], WAIT);
}

async function addTask(page, title) {
  await page.getByTestId('new-title').fill(title);
  await page.getByTestId('new-title').press('Enter');
  await card(page, title).waitFor(WAIT);
}

async function setOnline(page, online) {
  await page.getByTestId('online').setChecked(online);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium(); // first: without a browser, fail before starting anything
  gateway = await startGateway();
  alice = await openDevice('alice');
  bob = await openDevice('bob');
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => undefined);
  await gateway?.stop();
}, { timeout: 60_000 });

describe('the demo task board on two devices', { timeout: 120_000 }, () => {
  it('a task created on one device appears on the other, live', async () => {
    await addTask(alice, 'Plan the release');

    await card(bob, 'Plan the release').waitFor(WAIT);
    await waitForCounter(alice, 'pending', 0);
    await shot(bob, '1-live-arrival');
  });

  it('edits of the same task while one device is offline conflict, are resolved, and both devices converge', async () => {
    await addTask(alice, 'Write the changelog');
    await card(bob, 'Write the changelog').waitFor(WAIT);

    await setOnline(bob, false);
    await card(alice, 'Write the changelog').getByTestId('task-status').selectOption('doing');
    await waitForCounter(alice, 'pending', 0);
    bob.once('dialog', (dialog) => dialog.accept('Write the changelog (v2)'));
    await card(bob, 'Write the changelog').getByTestId('rename').click();
    await card(bob, 'Write the changelog (v2)').waitFor(WAIT);
    await waitForCounter(bob, 'pending', 1);
    await shot(bob, '2-offline-edit');

    await setOnline(bob, true);
    await waitForCounter(bob, 'conflicts', 1);
    await bob.getByTestId('open-resolve').click();
    await bob.getByTestId('resolve-dialog').waitFor(WAIT);
    await shot(bob, '3-conflict-dialog');
    await bob.getByTestId('merge').click();

    await waitForCounter(bob, 'conflicts', 0);
    await waitForCounter(bob, 'pending', 0);
    // Field merge: bob's title and alice's status, on both devices.
    for (const page of [alice, bob]) {
      await page.locator('.column[data-status="doing"]').getByText('Write the changelog (v2)', { exact: true }).waitFor(WAIT);
    }
    assert.equal(await card(alice, 'Write the changelog').count(), 0);
    await shot(alice, '4-converged');
  });

  it('deleting a task with comments removes it and its comments on the other device', async () => {
    await addTask(alice, 'Book the venue');
    const task = card(alice, 'Book the venue');
    await task.getByTestId('comment-input').fill('Two options left');
    await task.getByTestId('comment-input').press('Enter');
    await card(bob, 'Book the venue').getByTestId('comment').getByText('Two options left').waitFor(WAIT);

    await card(bob, 'Book the venue').getByTestId('delete').click();

    await card(alice, 'Book the venue').waitFor({ state: 'detached', ...WAIT });
    await alice.waitForFunction(async () => (await window.demo.client.query('comment'))
      .every((c) => c.content !== 'Two options left'), null, WAIT);
    await waitForCounter(bob, 'pending', 0);
    assert.equal(await counter(bob, 'failed'), 0);
  });

  it('a reload in the middle of a queue keeps every pending change, and they all arrive afterwards', async () => {
    await setOnline(alice, false);
    for (const title of ['Offline one', 'Offline two', 'Offline three']) await addTask(alice, title);
    await card(alice, 'Plan the release').getByTestId('task-status').selectOption('done');
    await waitForCounter(alice, 'pending', 4);

    await alice.reload();
    await alice.getByTestId('who').filter({ hasText: 'alice' }).waitFor(WAIT);
    await waitForCounter(alice, 'pending', 4);
    await card(alice, 'Offline two').waitFor(WAIT);
    await shot(alice, '5-after-reload-offline');
    await setOnline(alice, true);

    await waitForCounter(alice, 'pending', 0);
    for (const title of ['Offline one', 'Offline two', 'Offline three']) await card(bob, title).waitFor(WAIT);
    await bob.locator('.column[data-status="done"]').getByText('Plan the release', { exact: true }).waitFor(WAIT);
    await shot(bob, '6-board');
  });

  it('a page on another origin syncs through CORS (preflight, gzip push, pull)', async () => {
    const pagePort = await freePort();
    const bundle = readFileSync(join(here, 'demo/vendor/sync-client.js'));
    const server = createServer((request, response) => {
      if (request.url === '/sync-client.js') {
        response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
      } else {
        response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
      }
    });
    await new Promise((done) => server.listen(pagePort, '127.0.0.1', done));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // localhost and 127.0.0.1 are different origins: every API call is cross-origin.
      await page.goto(`http://localhost:${pagePort}/`);
      const result = await page.evaluate(async ([url, jwt]) => {
        const { createSyncClient } = await import('/sync-client.js');
        const client = await createSyncClient({ url, token: jwt, deviceId: 'other-origin-1', autoStart: false, live: false });
        await client.create('task', { title: 'From another origin', status: 'todo' });
        const sync = await client.sync();
        return { sync, tasks: (await client.query('task')).map((t) => t.title) };
      }, [gateway.url, token('carol', org)]);

      assert.equal(result.sync.ok, true, JSON.stringify(result));
      assert.equal(result.sync.pushed, 1);
      assert.ok(result.tasks.includes('Plan the release'), 'the pull brought the board');
      await card(alice, 'From another origin').waitFor(WAIT);
    } finally {
      await context.close();
      server.close();
    }
  });
});
