import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';

// The server under test runs with its own embedded PostgreSQL in a fresh data folder, exactly as
// `make run` does, with a known first admin. The folder must be reachable by the `postgres`
// system user when tests run as root, so it lives under the system temp folder, not /root.
const port = Number(process.env.TOCSIN_E2E_PORT ?? 3939);
const dataDir = process.env.TOCSIN_E2E_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-e2e-'));
fs.chmodSync(dataDir, 0o755);
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(__dirname, '..', 'target');
const binary = process.env.TOCSIN_E2E_BINARY ?? path.join(targetDir, 'debug', 'tocsin');

export const baseURL = `http://127.0.0.1:${port}`;
import { admin } from './tests/fixtures';

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run', '--disable-dev-shm-usage',
      ],
    },
  },
  webServer: {
    command: `${binary} serve --demo`,
    cwd: path.join(__dirname, '..'),
    url: `${baseURL}/readyz`,
    // Never test a server left over from another run: each run starts its own, on fresh data.
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    // SIGTERM lets the server finish and stop its embedded PostgreSQL cleanly.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    env: {
      ...process.env as Record<string, string>,
      DATABASE_URL: '',
      TOCSIN_LISTEN: `127.0.0.1:${port}`,
      TOCSIN_DATA_DIR: dataDir,
      // The paging spec's webhook receiver listens on loopback, refused unless allowed.
      TOCSIN_OUTBOUND_ALLOW: '127.0.0.1',
      TOCSIN_ADMIN_EMAIL: admin.email,
      TOCSIN_ADMIN_PASSWORD: admin.password,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.join(__dirname, '..', 'target', 'site'),
    },
  },
});
