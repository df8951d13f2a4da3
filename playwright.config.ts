// Playwright end-to-end tests: Debian's Chromium against the real server and storefront,
// started here on their own ports with a fresh SQLite file (see tests/e2e/).
import { defineConfig } from '@playwright/test';

export const API = 'http://127.0.0.1:18080';
export const STOREFRONT = 'http://127.0.0.1:18081';

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
      'rm -rf target/e2e && mkdir -p target/e2e && exec target/server/vitrine-server demo ' +
      '--listen 127.0.0.1:18080 --storefront-listen 127.0.0.1:18081 ' +
      '--database-url sqlite://target/e2e/vitrine.db --master-key-file target/e2e/master.key ' +
      '--bundle-dir dist --storefront-dir public',
    url: `${API}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
