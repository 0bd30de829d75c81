import type { Fields } from './model.js';

export type TokenSource = string | (() => string | Promise<string>);

/** A failed request: its HTTP status (0 when the network failed), problem code and Retry-After. */
export class GatewayError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfterMs = 0) {
    super(message);
    this.name = 'GatewayError';
  }

  /** Worth retrying the same request later: network, overload, unavailability, server faults. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }

  /** Not the request's fault: the token or the device binding must change first. */
  get authorization(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

/** gzip with the platform's CompressionStream (browsers, Node ≥ 18): no library needed. */
export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

export interface PullPage {
  tasks?: Fields[];
  comments?: Fields[];
  attachments?: Fields[];
  tombstones?: Fields[];
  hasMore: boolean;
  cursor: string;
  timestamp?: number;
  retention?: { retentionMs: number; horizon: number };
}

/** The gateway's HTTP API: push (gzip) and pull. */
export class GatewayApi {
  constructor(private readonly baseUrl: string, private readonly token: TokenSource,
      private readonly now: () => number, private readonly fetchImpl: typeof fetch = (...args) => fetch(...args)) {}

  async bearer(): Promise<string> {
    return typeof this.token === 'function' ? await this.token() : this.token;
  }

  url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async push(envelope: Fields): Promise<Fields> {
    const body = await gzip(JSON.stringify(envelope));
    return this.send(this.url('api/sync/push'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip',
        Authorization: `Bearer ${await this.bearer()}` },
      body,
    });
  }

  async pull(since: string, deviceId: string | undefined, limit: number): Promise<PullPage> {
    return this.send(this.url('api/sync/pull', { since, deviceId, limit }), {
      headers: { Authorization: `Bearer ${await this.bearer()}` },
    }) as unknown as Promise<PullPage>;
  }

  private async send(url: string, init: RequestInit): Promise<Fields> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, cache: 'no-store' });
    } catch (error) {
      throw new GatewayError(0, 'network', `network error: ${(error as Error).message}`);
    }
    if (response.ok) {
      return (await response.json()) as Fields;
    }
    let problem: Fields = {};
    try {
      problem = (await response.json()) as Fields;
    } catch {
      // not a problem+json body (a proxy's page)
    }
    throw new GatewayError(response.status, String(problem.code ?? `http_${response.status}`),
      String(problem.detail ?? problem.title ?? response.statusText),
      retryAfterMs(response.headers.get('Retry-After'), this.now()));
  }
}
