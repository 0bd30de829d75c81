// The demo task board: one device per browser tab (its id lives in sessionStorage, so a reload
// keeps the device and its IndexedDB queue; another tab is another device).
import { createSyncClient } from './vendor/sync-client.js';

const $ = (selector) => document.querySelector(selector);
const session = window.sessionStorage;

function tokenFromPage() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromLink) {
    session.setItem('demo.token', fromLink);
    history.replaceState(null, '', location.pathname); // keep the token out of the address bar
  }
  return session.getItem('demo.token');
}

function claims(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

function deviceIdFor(user) {
  let id = session.getItem('demo.deviceId');
  if (!id) {
    id = `${user}-tab-${Math.random().toString(36).slice(2, 8)}`.replace(/[^A-Za-z0-9._~:-]/g, '_');
    session.setItem('demo.deviceId', id);
  }
  return id;
}

function log(text) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('#activity').prepend(item);
  while ($('#activity').children.length > 30) $('#activity').lastChild.remove();
}

async function main() {
  const token = tokenFromPage();
  if (!token) {
    $('#sign-in').hidden = false;
    $('#token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      session.setItem('demo.token', new FormData(event.target).get('token').trim());
      location.reload();
    });
    return;
  }
  const user = claims(token).sub ?? 'unknown';
  const deviceId = deviceIdFor(user);
  $('.who').textContent = `${user} · device ${deviceId}`;
  $('#board').hidden = false;

  const client = await createSyncClient({ url: location.origin, token, deviceId, debounceMs: 300,
    periodicMs: 15_000, autoStart: false });
  window.demo = { client };
  const offline = session.getItem('demo.offline') === 'true';
  $('#online').checked = !offline;
  if (offline) client.setOnline(false);
  document.body.classList.toggle('offline', offline);

  const arrived = new Set();
  let conflictsById = new Map();

  async function render() {
    const tasks = (await client.query('task')).sort((a, b) => (a.position ?? 0) - (b.position ?? 0)
      || String(a.title).localeCompare(String(b.title)));
    const comments = await client.query('comment');
    for (const column of document.querySelectorAll('.column')) {
      const list = column.querySelector('ul');
      list.replaceChildren(...tasks.filter((t) => (t.status ?? 'todo') === column.dataset.status)
        .map((task) => card(task, comments.filter((c) => c.taskId === task.id))));
    }
    const conflicts = await client.conflicts();
    conflictsById = new Map(conflicts.map((c) => [`${c.type}:${c.id}`, c]));
    $('#conflict-list').replaceChildren(...(conflicts.length ? conflicts.map(conflictItem) : [empty()]));
    const failed = await client.failed();
    $('#failed-list').replaceChildren(...(failed.length ? failed.map(failedItem) : [empty()]));
  }

  function empty() {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = 'none';
    return li;
  }

  function card(task, comments) {
    const node = $('#card').content.firstElementChild.cloneNode(true);
    node.dataset.id = task.id;
    node.classList.add(task._status);
    if (arrived.has(task.id)) node.classList.add('arrived');
    node.querySelector('.title').textContent = task.title;
    const by = task._server?.lastModifiedBy;
    node.querySelector('.meta').textContent = `${task._status}${by ? ` · last saved by ${by}` : ''}`;
    const status = node.querySelector('select');
    status.value = task.status ?? 'todo';
    status.addEventListener('change', () => edit(() => client.update('task', task.id, { status: status.value })));
    node.querySelector('.rename').addEventListener('click', () => {
      const title = prompt('New title', task.title);
      if (title) edit(() => client.update('task', task.id, { title }));
    });
    node.querySelector('.delete').addEventListener('click', () => edit(() => client.remove('task', task.id)));
    node.querySelector('.comments').replaceChildren(...comments.map((comment) => {
      const li = document.createElement('li');
      li.dataset.testid = 'comment';
      li.textContent = comment.content;
      return li;
    }));
    node.querySelector('.comment-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const content = new FormData(event.target).get('content').trim();
      if (content) edit(() => client.create('comment', { taskId: task.id, content }));
    });
    return node;
  }

  function conflictItem(conflict) {
    const li = document.createElement('li');
    li.dataset.testid = 'conflict';
    const name = conflict.local.fields.title ?? conflict.local.fields.content ?? conflict.id;
    li.append(`${conflict.type} “${name}” `);
    const button = document.createElement('button');
    button.textContent = 'Resolve…';
    button.dataset.testid = 'open-resolve';
    button.addEventListener('click', () => openResolve(conflict));
    li.append(button);
    return li;
  }

  function failedItem(item) {
    const li = document.createElement('li');
    li.dataset.testid = 'failed-item';
    li.append(`${item.operation} ${item.type} ${item.id}: ${item.reason} `);
    for (const [label, action] of [['Retry', () => client.retryFailed(item.seq)],
      ['Discard', () => client.discardFailed(item.seq)]]) {
      const button = document.createElement('button');
      button.textContent = label;
      button.addEventListener('click', () => edit(action));
      li.append(button);
    }
    return li;
  }

  function openResolve(conflict) {
    const show = (side) => JSON.stringify(side.deleted ? { deleted: true } : side.fields, null, 2);
    $('#local-side').textContent = show(conflict.local);
    $('#remote-side').textContent = show(conflict.remote);
    const dialog = $('#resolve-dialog');
    dialog.onclose = () => {
      if (dialog.returnValue && dialog.returnValue !== 'cancel') {
        edit(() => client.resolve(conflict.type, conflict.id, dialog.returnValue));
      }
    };
    dialog.returnValue = '';
    dialog.showModal();
  }

  async function edit(action) {
    try {
      await action();
    } catch (error) {
      log(`refused: ${error.message}`);
    }
    await render();
  }

  function showStatus(status) {
    $('#pending').textContent = status.pending;
    $('#failed').textContent = status.failed;
    $('#conflicts').textContent = status.conflicts;
    const parts = [status.online ? (status.live ? 'live' : 'polling') : 'offline'];
    if (status.syncing) parts.push('syncing…');
    if (status.breaker !== 'closed') parts.push(`breaker ${status.breaker}`);
    if (status.lastSyncAt) parts.push(`last sync ${new Date(status.lastSyncAt).toLocaleTimeString()}`);
    $('#state').textContent = parts.join(' · ');
  }

  client.on('status', showStatus);
  client.on('change', (change) => {
    if (change.origin === 'remote') {
      change.ids.forEach((id) => arrived.add(id));
      log(`${change.ids.length} ${change.type}(s) arrived from other devices`);
      setTimeout(() => {
        change.ids.forEach((id) => arrived.delete(id));
        void render();
      }, 2_000);
    }
    void render();
  });
  client.on('conflict', (conflict) => {
    log(`conflict on ${conflict.type} ${conflict.id}`);
    void render();
  });
  client.on('conflict-resolved', (r) => log(`resolved ${r.type} ${r.id}`));
  client.on('failed', (item) => log(`failed: ${item.reason}`));
  client.on('resync', (r) => log(`full resync (${r.reason})`));
  client.on('retention-warning', () => log('sync soon: the server will soon forget where this device stopped'));
  client.on('live', (live) => log(live.connected ? 'live updates connected' : 'live updates off'));
  client.on('error', (error) => log(`sync failed: ${error.message}`));
  client.on('sync', (result) => {
    if (result.ok && (result.pushed || result.pulled || result.conflicts)) {
      log(`synced: ${result.pushed} pushed, ${result.pulled} pulled, ${result.conflicts} conflicts`);
    }
  });

  $('#online').addEventListener('change', (event) => {
    const online = event.target.checked;
    session.setItem('demo.offline', String(!online));
    document.body.classList.toggle('offline', !online);
    client.setOnline(online);
    log(online ? 'back online' : 'offline (simulated)');
  });
  $('#sync').addEventListener('click', () => void client.sync());
  $('#new-task').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = event.target.elements.title;
    const title = input.value.trim();
    input.value = '';
    if (title) edit(() => client.create('task', { title, status: 'todo', position: Date.now() }));
  });

  await render();
  showStatus(await client.status());
  client.start();
}

main().catch((error) => {
  document.body.append(`The demo failed to start: ${error.message}`);
  console.error(error);
});
