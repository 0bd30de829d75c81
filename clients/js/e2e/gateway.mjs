// Starts the real gateway (java -jar) for the browser tests and always stops it again.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SECRET = 'browser-e2e-secret-0123456789abcdef-0123';
const here = new URL('..', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** An HS256 token as the gateway expects it (PROTOCOL §2). */
export function token(user, org, expiresInSeconds = 3600) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: user, org, role: 'member',
    exp: Math.floor(Date.now() / 1000) + expiresInSeconds })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

/** Starts the gateway jar on a free port with its own embedded PostgreSQL and the development switches. */
export async function startGateway() {
  const jar = resolve(process.env.GATEWAY_JAR ?? join(here, '../../target/sync-gateway.jar'));
  if (!existsSync(jar)) {
    throw new Error(`No gateway jar at ${jar}: build it first (./mvnw -B package -DskipTests at the top level) or set GATEWAY_JAR`);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-e2e-'));
  mkdirSync(join(here, 'target'), { recursive: true });
  const log = createWriteStream(join(here, 'target/e2e-gateway.log'));
  const child = spawn('java', ['-Xmx512m', '-jar', jar], {
    cwd: dataDir,
    env: { ...process.env, SYNC_HTTP_PORT: String(port), SYNC_HTTP_HOST: '127.0.0.1', SYNC_DATA_DIR: join(dataDir, 'data'),
      SYNC_JWT_SECRET: SECRET, SYNC_DEMO: 'true', SYNC_DEMO_DIR: join(here, 'demo'), SYNC_CORS_ORIGINS: '*',
      SYNC_HTTP_INSTANCES: '1', SYNC_DECODE_INSTANCES: '1', SYNC_CONFLICT_INSTANCES: '1', SYNC_PERSISTENCE_INSTANCES: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const gateway = {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM'); // the gateway drains, then stops its embedded PostgreSQL
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the gateway exited with ${child.exitCode}; see target/e2e-gateway.log`);
    }
    try {
      if ((await fetch(`${gateway.url}/health/ready`)).ok) return gateway;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await gateway.stop();
      throw new Error('the gateway did not become ready within 180 s; see target/e2e-gateway.log');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
