import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { systemClock } from '../../src/shared/clock.js';
import { createDemoCounty } from '../../src/modules/simulator/index.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The station head's first day: sign in, find a customer of their station, open the customer page
 * (title, consumption chart), and see that customers of other stations are not there for them.
 * Drives Debian's Chromium (playwright-core) against the real app serving the built web UI.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB_DIST = path.join(ROOT, 'web/dist');
const SCREENSHOT = path.join(ROOT, 'test-results/e2e/station-head-customer.png');
const CHROMIUM = process.env.GRANARY_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface AccountRow {
  id: number;
  account_no: string;
  name: string;
}

let handle: DatabaseHandle;
let app: FastifyInstance;
let home: string;
let baseUrl: string;
let browser: Browser;
let page: Page;
let own: AccountRow;
let foreign: AccountRow;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`The browser test needs Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set GRANARY_CHROMIUM.`);
  }
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`No built web UI in ${WEB_DIST}: run \`npm run build:web\` first.`);
  }

  handle = await createTestDatabase();
  await createDemoCounty(handle, { accounts: 400, seed: 7, asOf: new Date() });

  // A customer of the station head's own station that has meter reads, and one of another station.
  const station = (code: 'own' | 'other') => sql<AccountRow>`
    select a.id::int as id, a.account_no, a.name
    from account a join org_unit s on s.id = a.station_id
    where ${code === 'own' ? sql`s.code = 'hongwansi'` : sql`s.code <> 'hongwansi'`}
      and a.status = 'active'
      and (select count(*) from cycle_read r where r.account_id = a.id) >= 3
    order by a.id
    limit 1`;
  own = (await station('own').execute(handle.db)).rows[0]!;
  foreign = (await station('other').execute(handle.db)).rows[0]!;
  expect(own, 'the demo county has a Hongwansi account with reads').toBeDefined();
  expect(foreign, 'the demo county has an account in another station').toBeDefined();

  home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-e2e-'));
  app = await buildApp({ db: handle.db, pool: handle.pool, config: loadConfig({ ...process.env, GRANARY_HOME: home }), clock: systemClock, webDir: WEB_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
  baseUrl = `http://127.0.0.1:${address.port}`;

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await handle?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

/** Types into the search box, presses Enter and waits for the server's answer to exactly that search. */
async function search(q: string): Promise<{ items: unknown[] }> {
  const answer = page.waitForResponse((r) => {
    const url = new URL(r.url());
    return url.pathname === '/api/v1/accounts' && url.searchParams.get('q') === q;
  });
  await page.getByTestId('customer-search').fill(q);
  await page.getByTestId('customer-search').press('Enter');
  const response = await answer;
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { items: unknown[] };
  // Let React render what arrived.
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=customer-row]').length === n, body.items.length);
  return body;
}

describe('a station head in the browser', () => {
  it('signs in and lands on the customer search', async () => {
    await page.goto(`${baseUrl}/customers`);
    await page.waitForURL(/\/login/);
    await page.getByTestId('login-username').fill('hongwansi.head');
    await page.getByTestId('login-password').fill('granary-demo');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/customers/);
    await expect.poll(() => page.getByTestId('customer-row').count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it('finds a customer of their station and opens the customer page with its consumption chart', async () => {
    const found = await search(own.account_no);
    expect(found.items.length).toBeGreaterThanOrEqual(1);
    const row = page.getByTestId('customer-row').filter({ hasText: own.account_no });
    await expect.poll(() => row.count()).toBe(1);
    await row.click();

    await page.waitForURL(new RegExp(`/accounts/${own.id}$`));
    const title = page.getByTestId('account-title');
    await title.waitFor();
    expect(await title.textContent()).toContain(own.account_no);
    expect(await title.textContent()).toContain(own.name);

    const canvas = page.locator('[data-testid=readings-chart] canvas').first();
    await canvas.waitFor({ timeout: 15_000 });
    const box = await canvas.boundingBox();
    expect(box?.width ?? 0, 'the chart has a size').toBeGreaterThan(100);
    expect(box?.height ?? 0).toBeGreaterThan(100);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('does not find a customer of another station, not even by its account number', async () => {
    await page.goto(`${baseUrl}/customers`);
    await page.getByTestId('customer-search').waitFor();
    const found = await search(foreign.account_no);
    expect(found.items).toEqual([]);
    expect(await page.getByTestId('customer-row').count()).toBe(0);

    // …and opening its page directly says it is not there.
    await page.goto(`${baseUrl}/accounts/${foreign.id}`);
    await page.getByTestId('account-not-found').waitFor();
    expect(await page.getByTestId('account-title').count()).toBe(0);
  });
});
