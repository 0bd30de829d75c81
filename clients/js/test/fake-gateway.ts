import 'fake-indexeddb/auto';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '../src/index.js';

export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: any;
}

export type Handler = (request: Recorded) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: code, status, detail: code, code }),
    { status, headers: { 'Content-Type': 'application/problem+json', ...headers } });
}

export function emptyPage(cursor = 'c-end'): Response {
  return json(200, { tasks: [], comments: [], attachments: [], tombstones: [], hasMore: false, cursor,
    timestamp: 1, retention: { retentionMs: 30 * 86_400_000, horizon: 0 } });
}

/** Acknowledges every pushed item, as the gateway does when nothing conflicts. */
export function acknowledgeAll(request: Recorded): Response {
  const count = Object.values(request.body.changes as Record<string, unknown[]>).reduce((n, a) => n + a.length, 0);
  return json(200, { success: true, processed: count, conflicts: [], superseded: [], rejected: [],
    serverVectorClock: {} });
}

/**
 * A scripted stand-in for the gateway's HTTP API, for unit tests of the client's logic (the real
 * gateway is exercised by the browser end-to-end tests): records every request, gunzips pushes,
 * and answers from per-route handlers.
 */
export class FakeGateway {
  readonly requests: Recorded[] = [];
  push: Handler = acknowledgeAll;
  pull: Handler = () => emptyPage();

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    let body: any;
    if (init.body) {
      const bytes = new Blob([init.body as ArrayBuffer]).stream();
      const text = headers.get('Content-Encoding') === 'gzip'
        ? await new Response(bytes.pipeThrough(new DecompressionStream('gzip'))).text()
        : await new Response(bytes).text();
      body = JSON.parse(text);
    }
    const request = { method: init.method ?? 'GET', url, headers, body };
    this.requests.push(request);
    return url.pathname.endsWith('/push') ? this.push(request) : this.pull(request);
  };

  pushes(): Recorded[] {
    return this.requests.filter((r) => r.url.pathname.endsWith('/push'));
  }

  pulls(): Recorded[] {
    return this.requests.filter((r) => r.url.pathname.endsWith('/pull'));
  }
}

let databases = 0;

export interface TestDevice {
  client: SyncClient;
  gateway: FakeGateway;
  clock: { now: number };
  options: SyncClientOptions;
}

/** A client on a fresh fake IndexedDB database, not started (no timers), without live updates. */
export async function device(overrides: Partial<SyncClientOptions> = {}, gateway = new FakeGateway()):
    Promise<TestDevice> {
  const clock = { now: 1_700_000_000_000 };
  const options: SyncClientOptions = { url: 'http://gateway.test', token: 'token', deviceId: 'phone-1',
    dbName: `test-db-${++databases}`, autoStart: false, live: false, fetch: gateway.fetch as typeof fetch,
    now: () => clock.now, ...overrides };
  return { client: await createSyncClient(options), gateway, clock, options };
}

/** The items of a push body, flattened in the order they were sent. */
export function pushedItems(request: Recorded): any[] {
  return Object.values(request.body.changes as Record<string, any[]>).flat();
}
