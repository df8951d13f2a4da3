// Playwright end-to-end tests: Debian's Chromium against the real server and storefront,
// started here on their own ports with a fresh SQLite file (see tests/e2e/).
import { defineConfig } from '@playwright/test';

// VITRINE_E2E_PORT moves both (API on it, storefront on the next) so that two runs can share
// a machine.
const PORT = Number(process.env.VITRINE_E2E_PORT ?? 18080);
export const API = `http://127.0.0.1:${PORT}`;
export const STOREFRONT = `http://127.0.0.1:${PORT + 1}`;
const DATA = `target/e2e/${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL: STOREFRONT,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Pages that tests serve with page.route have no network address, so Chromium's
        // Local Network Access checks would refuse their requests to the loopback API.
        '--disable-features=LocalNetworkAccessChecks',
      ],
    },
  },
  webServer: {
    command:
      `rm -rf ${DATA} && mkdir -p ${DATA} && exec target/server/vitrine-server demo ` +
      `--listen 127.0.0.1:${PORT} --storefront-listen 127.0.0.1:${PORT + 1} ` +
      `--database-url sqlite://${DATA}/vitrine.db --master-key-file ${DATA}/master.key ` +
      '--bundle-dir dist --storefront-dir public --storefront-app-dir storefront/dist',
    url: `${API}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
