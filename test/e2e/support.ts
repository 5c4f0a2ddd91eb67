import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { systemClock } from '../../src/shared/clock.js';
import { createDemoCounty, DEMO_PASSWORD } from '../../src/modules/simulator/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { createTestDatabase } from '../support/db.js';

/**
 * What every browser test needs: a demo county in a fresh database, the real app serving the built web UI
 * on a loopback port, and Debian's Chromium driven by playwright-core. One `startE2e()` in beforeAll,
 * its `stop()` in afterAll.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = path.join(ROOT, 'web/dist');
export const SCREENSHOTS = path.join(ROOT, 'test-results/e2e');
const CHROMIUM = process.env.GRANARY_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface E2e {
  handle: DatabaseHandle;
  app: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  page: Page;
  stop(): Promise<void>;
}

/** Fails early, with what to do, when the browser or the built UI is missing. */
function checkPrerequisites(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`The browser test needs Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set GRANARY_CHROMIUM.`);
  }
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`No built web UI in ${WEB_DIST}: run \`npm run build:web\` first.`);
  }
}

/**
 * A demo county of `accounts` accounts (seed 7, history up to today), the Gansu tariff defaults (the server
 * seeds them at start-up through prepareDatabase; here the app is built directly), the app listening on a
 * free loopback port, and one browser page at 1440×900 in zh-CN.
 */
export async function startE2e(opts: { accounts: number; seed?: number }): Promise<E2e> {
  checkPrerequisites();
  const handle = await createTestDatabase();
  await createDemoCounty(handle, { accounts: opts.accounts, seed: opts.seed ?? 7, asOf: new Date() });
  await seedTariffDefaults(handle.db);

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-e2e-'));
  const app = await buildApp({ db: handle.db, pool: handle.pool, config: loadConfig({ ...process.env, GRANARY_HOME: home }), clock: systemClock, webDir: WEB_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  return {
    handle,
    app,
    baseUrl,
    browser,
    page,
    async stop() {
      await browser.close();
      await app.close();
      await handle.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Signs in on the login page (any route redirects there) and waits for the customer search. */
export async function signIn(e: Pick<E2e, 'page' | 'baseUrl'>, username: string, password = DEMO_PASSWORD): Promise<void> {
  const { page } = e;
  await page.goto(`${e.baseUrl}/customers`);
  await page.waitForURL(/\/login/);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/customers/);
  await expect.poll(() => page.getByTestId('customer-row').count(), { timeout: 15_000 }).toBeGreaterThan(0);
}

/** A full-page screenshot under test-results/e2e/ (from the top: the sticky header and menu stay in place). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOTS, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
