// Builds the library: type-checks and compiles sources and tests for the Node test runner
// (build/), bundles the ES module for browsers (dist/sync-client.js, minified, idb and
// canonicalize inlined), writes type declarations (dist/types), and copies the bundle into the
// demo (demo/vendor/sync-client.js, committed so that the demo runs from a clean clone).
import { execFileSync } from 'node:child_process';
process.on('uncaughtException', (error) => {
  console.error(error.message);
  process.exit(1);
});
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const here = new URL('..', import.meta.url).pathname;
const tsc = (project) => execFileSync(process.execPath, [`${here}node_modules/typescript/bin/tsc`, "-p", project],
  { cwd: here, stdio: 'inherit' });

rmSync(`${here}build`, { recursive: true, force: true });
rmSync(`${here}dist`, { recursive: true, force: true });
tsc('tsconfig.json');
tsc('tsconfig.types.json');
await build({
  entryPoints: [`${here}src/index.ts`],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  sourcemap: false,
  outfile: `${here}dist/sync-client.js`,
  legalComments: 'eof',
});
mkdirSync(`${here}demo/vendor`, { recursive: true });
copyFileSync(`${here}dist/sync-client.js`, `${here}demo/vendor/sync-client.js`);
const bytes = statSync(`${here}dist/sync-client.js`).size;
const gzipped = gzipSync(readFileSync(`${here}dist/sync-client.js`)).length;
console.log(`dist/sync-client.js: ${(bytes / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
