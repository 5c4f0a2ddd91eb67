import { sql } from 'kysely';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { addMonths, businessMonth } from '../../src/shared/business-time.js';
import { screenshot, signIn, startE2e, type E2e } from './support.js';

/**
 * The monthly bill run from the browser (电费发行): marketing starts the run of the last complete month of a
 * small demo county, watches it rate to the review state, approves it with a note, issues it, and finds the
 * issued bill on a customer's page with the total the database holds. The station head of that customer
 * sees the same bill, and no bill-run console.
 */

let e2e: E2e;
let page: Page;
let baseUrl: string;
let runId: number;
const period = addMonths(businessMonth(new Date()), -1);
const runAnswers: { method: string; status: string }[] = [];

/** Integer fen as the UI shows 元: thousands separators, two decimals, by BigInt arithmetic. */
function yuanText(fen: number): string {
  const f = BigInt(fen);
  const sign = f < 0n ? '-' : '';
  const abs = f < 0n ? -f : f;
  return `${sign}${(abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(abs % 100n).toString().padStart(2, '0')}`;
}

const runPage = (status: string) => page.locator(`[data-testid=bill-run][data-status=${status}]`);

beforeAll(async () => {
  e2e = await startE2e({ accounts: 300 });
  ({ page, baseUrl } = e2e);
  // Every answer about a run the page receives: the start (POST) and the once-a-second polls (GET).
  page.on('response', (r: Response) => {
    const path = new URL(r.url()).pathname;
    if (!/^\/api\/v1\/bill-runs(\/\d+)?$/.test(path) || !r.ok()) return;
    void r
      .json()
      .then((body: { status?: string }) => body.status && runAnswers.push({ method: r.request().method(), status: body.status }))
      .catch(() => {});
  });
});

afterAll(async () => {
  await e2e?.stop();
});

describe('the bill-run console in the browser', () => {
  it('marketing opens 电费发行 from the menu; the form proposes the last complete month', async () => {
    await signIn(e2e, 'marketing');
    await page.getByTestId('menu-billing').click();
    await page.waitForURL(/\/billing$/);
    await page.getByTestId('start-run').waitFor();
    expect(await page.locator('input[data-testid=start-period], [data-testid=start-period] input').first().inputValue()).toBe(period);
  });

  it('starts the run and watches it rate until it waits for review', async () => {
    await page.getByTestId('start-run').click();
    await page.waitForURL(/\/billing\/runs\/\d+$/);
    runId = Number(/\/billing\/runs\/(\d+)$/.exec(page.url())![1]);
    expect(await page.getByTestId('run-title').textContent()).toContain(period);

    await runPage('review').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('progress-rating').getAttribute('data-percent')).toBe('100');
    // The start answered "rating" (202) and the page polled the run until it was in review.
    expect(runAnswers.find((a) => a.method === 'POST')?.status).toBe('rating');
    expect(runAnswers.some((a) => a.method === 'GET' && a.status === 'review')).toBe(true);

    const db = (await sql<{ bills: number; total: number }>`select count(*)::int as bills, coalesce(sum(total_fen), 0)::bigint as total from bill where bill_run_id = ${runId}`.execute(e2e.handle.db)).rows[0]!;
    expect(db.bills).toBeGreaterThan(250);
    expect(await page.getByTestId('figure-bills').textContent()).toBe(db.bills.toLocaleString('en-US'));
    expect(await page.getByTestId('figure-total').textContent()).toBe(yuanText(Number(db.total)));
    await page.getByTestId('run-exceptions').waitFor();
  });

  it('approves the run with a note after a confirmation', async () => {
    expect(await page.getByTestId('issue-run').isDisabled()).toBe(true);
    await page.getByTestId('approve-run').click();
    await page.getByTestId('approve-note').fill('异常已逐户核实');
    await page.getByTestId('approve-confirm').click();
    await runPage('approved').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByText('异常已逐户核实').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('approve-run').isDisabled()).toBe(true);
  });

  it('issues it after the warning that issued bills cannot be changed, and shows the issue finish', async () => {
    await page.getByTestId('issue-run').click();
    expect(await page.getByTestId('issue-warning').textContent()).toContain('发行后账单不可修改，更正需开退补账单');
    await page.getByTestId('issue-confirm').click();
    await runPage('issued').waitFor({ timeout: 60_000 });

    const total = (await sql<{ total: number }>`select sum(total_fen)::bigint as total from bill where bill_run_id = ${runId} and status = 'issued'`.execute(e2e.handle.db)).rows[0]!.total;
    expect(await page.getByTestId('progress-issuing').getAttribute('data-percent')).toBe('100');
    expect(await page.getByTestId('figure-issued').textContent()).toBe(yuanText(Number(total)));
    expect(await checkLedger(e2e.handle.db)).toMatchObject({ ok: true });
    // The summary download is offered (the server lists the route) and answers with a workbook for this session.
    const summary = await page.getByTestId('run-summary-xlsx').getAttribute('href');
    const xlsx = await page.context().request.get(new URL(summary!, baseUrl).toString());
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
    await page.waitForTimeout(300); // let the bars finish their animation for the picture
    await screenshot(page, 'bill-run-console.png');

    // Starting the same month again is not offered: the form opens the existing run instead.
    await page.goto(`${baseUrl}/billing`);
    await page.getByTestId('open-existing-run').waitFor();
    expect(await page.getByTestId('run-row').count()).toBe(1);
  });

  it("a customer's page shows the issued bill with the database's total, and its lines", async () => {
    const bill = (
      await sql<{ id: number; account_id: number; total_fen: number }>`
        select b.id::int as id, b.account_id::int as account_id, b.total_fen::bigint as total_fen
        from bill b join account a on a.id = b.account_id join org_unit s on s.id = a.station_id
        where b.bill_run_id = ${runId} and s.code = 'hongwansi'
        order by (select count(*) from bill_line l where l.bill_id = b.id) desc, b.account_id
        limit 1`.execute(e2e.handle.db)
    ).rows[0]!;
    expect(bill, 'a Hongwansi account was billed').toBeDefined();

    await page.goto(`${baseUrl}/accounts/${bill.account_id}`);
    const row = page.locator(`[data-testid=bill-row][data-bill-id="${bill.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-status')).toBe('issued');
    expect(await row.getByTestId('bill-total').textContent()).toBe(yuanText(Number(bill.total_fen)));
    expect(await row.textContent()).toContain(period);

    await row.locator('.ant-table-row-expand-icon').click();
    await page.getByTestId('bill-lines-total').first().waitFor();
    expect(await page.getByTestId('bill-lines-total').first().textContent()).toBe(yuanText(Number(bill.total_fen)));
    await screenshot(page, 'bill-run-customer-bills.png');
    const pdf = await page.context().request.get(new URL((await row.getByTestId('bill-pdf').getAttribute('href'))!, baseUrl).toString());
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');

    // The station head of that customer sees the same bill, and no bill-run console.
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await signIn(e2e, 'hongwansi.head');
    expect(await page.getByTestId('menu-billing').count()).toBe(0);
    await page.goto(`${baseUrl}/accounts/${bill.account_id}`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('bill-total').textContent()).toBe(yuanText(Number(bill.total_fen)));
    await page.goto(`${baseUrl}/billing`);
    await page.getByTestId('billing-forbidden').waitFor();
  });
});
