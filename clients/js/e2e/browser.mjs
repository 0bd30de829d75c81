// Headless Chromium from the system (Debian's chromium package), driven by playwright-core: no
// browser is downloaded. Without it the browser tests fail loudly; they never pass silently.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    const message = `\n*** BROWSER TESTS CANNOT RUN: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) `
      + 'or set CHROMIUM_PATH. Failing on purpose. ***\n';
    console.error(message);
    throw new Error(message);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
