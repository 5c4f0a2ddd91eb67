import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, signIn, startE2e, type E2e } from './support.js';

/**
 * The station head's first day: sign in, find a customer of their station, open the customer page
 * (title, consumption chart), and see that customers of other stations are not there for them.
 * Drives Debian's Chromium (playwright-core) against the real app serving the built web UI.
 */

interface AccountRow {
  id: number;
  account_no: string;
  name: string;
}

let e2e: E2e;
let page: Page;
let baseUrl: string;
let own: AccountRow;
let foreign: AccountRow;

beforeAll(async () => {
  e2e = await startE2e({ accounts: 400 });
  ({ page, baseUrl } = e2e);

  // A customer of the station head's own station that has meter reads, and one of another station.
  const station = (code: 'own' | 'other') => sql<AccountRow>`
    select a.id::int as id, a.account_no, a.name
    from account a join org_unit s on s.id = a.station_id
    where ${code === 'own' ? sql`s.code = 'hongwansi'` : sql`s.code <> 'hongwansi'`}
      and a.status = 'active'
      and (select count(*) from cycle_read r where r.account_id = a.id) >= 3
    order by a.id
    limit 1`;
  own = (await station('own').execute(e2e.handle.db)).rows[0]!;
  foreign = (await station('other').execute(e2e.handle.db)).rows[0]!;
  expect(own, 'the demo county has a Hongwansi account with reads').toBeDefined();
  expect(foreign, 'the demo county has an account in another station').toBeDefined();
});

afterAll(async () => {
  await e2e?.stop();
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
    await signIn(e2e, 'hongwansi.head');
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

    await screenshot(page, 'station-head-customer.png');
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
