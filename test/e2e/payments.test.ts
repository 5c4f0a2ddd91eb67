import { sql } from 'kysely';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { accountStatement } from '../../src/modules/payments/index.js';
import { addDays, addMonths, businessDate, businessMonth } from '../../src/shared/business-time.js';
import { issueTestBill } from '../support/bills.js';
import { screenshot, signIn, startE2e, type E2e } from './support.js';

/**
 * Collection from the browser (issue 4's "done when"): a customer opens the public payment page on a phone
 * (375 px, no session), finds their account by number and full name, pays the open bill through the demo
 * sandbox checkout and sees the result; the station's cashier then finds the bill 已缴清 on the customer page
 * and opens the payment's receipt. The cashier also takes a counter payment (the first answer is lost on the
 * way and the retry reuses the Idempotency-Key: one payment), prints its receipt (人民币大写, allocation per
 * bill), and asks for its reversal, which the station head approves; the head then asks for the penalty's
 * waiver, which marketing approves. Marketing imports a WeChat Pay trade bill (the customer's payment
 * matches, an unknown one is reviewed) and a bank debit result file.
 */

interface Customer {
  id: number;
  account_no: string;
  account_name: string;
  customer_name: string;
}

let e2e: E2e;
let page: Page;
let baseUrl: string;
let phone: BrowserContext;
const savedDemo = process.env.GRANARY_DEMO;
const today = businessDate(new Date());
const period = addMonths(businessMonth(new Date()), -1);
let online: Customer;
let counter: Customer;
let debit: Customer;
let onlineBillId: number;
let counterBillId: number;
let onlinePaymentId: number;
let counterPaymentId: number;

/** Integer fen as the UI shows 元: thousands separators, two decimals, by BigInt arithmetic. */
function yuanText(fen: number): string {
  const f = BigInt(fen);
  const sign = f < 0n ? '-' : '';
  const abs = f < 0n ? -f : f;
  return `${sign}${(abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** An antd input's <input> whether the test id sits on it or on its wrapper. */
const input = (p: Page, id: string) => p.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();
/** The text of an element when it is on the page, '' otherwise (without waiting for it). */
const shownText = async (p: Page, id: string) => ((await p.getByTestId(id).count()) ? ((await p.getByTestId(id).first().textContent()) ?? '') : '');
const noSideScroll = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

beforeAll(async () => {
  process.env.GRANARY_DEMO = 'true'; // the sandbox checkout and the demo channel keys
  e2e = await startE2e({ accounts: 240 });
  ({ page, baseUrl } = e2e);
  phone = await e2e.browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });

  const people = (
    await sql<Customer>`
      select a.id::int as id, a.account_no, a.name as account_name, c.name as customer_name
      from account a join customer c on c.id = a.customer_id join org_unit s on s.id = a.station_id
      where s.code = 'hongwansi' and a.status = 'active' and c.kind = 'person' and a.category = 'residential'
      order by a.id
      limit 3`.execute(e2e.handle.db)
  ).rows;
  expect(people.length, 'three Hongwansi residential customers').toBe(3);
  [online, counter, debit] = people as [Customer, Customer, Customer];
  // Issued and overdue: the statement carries a penalty accrued to today (residential 1‰ a day, 1 元 minimum).
  onlineBillId = await issueTestBill(e2e.handle.db, { accountId: online.id, period, totalFen: 12_345, dueOn: addDays(today, -12), issuedOn: addDays(today, -27) });
  counterBillId = await issueTestBill(e2e.handle.db, { accountId: counter.id, period, totalFen: 8_760, dueOn: addDays(today, -3), issuedOn: addDays(today, -18) });
  await issueTestBill(e2e.handle.db, { accountId: debit.id, period, totalFen: 5_000, dueOn: addDays(today, 5), issuedOn: addDays(today, -10) });
});

afterAll(async () => {
  await phone?.close();
  await e2e?.stop();
  if (savedDemo === undefined) delete process.env.GRANARY_DEMO;
  else process.env.GRANARY_DEMO = savedDemo;
});

describe('a customer pays online on a phone, through the sandbox checkout', () => {
  let mobile: Page;

  it('the payment page needs no session: the account is found by number and full name, with its balances', async () => {
    mobile = await phone.newPage();
    const statement = await accountStatement(e2e.handle.db, online.id, today);
    expect(statement.penaltyFen, 'the overdue bill carries a penalty').toBeGreaterThan(0);

    await mobile.goto(`${baseUrl}/pay`);
    await input(mobile, 'pay-account-no').waitFor();
    expect(mobile.url()).toBe(`${baseUrl}/pay`); // not sent to /login
    // a wrong name answers like a wrong number
    await input(mobile, 'pay-account-no').fill(online.account_no);
    await input(mobile, 'pay-name').fill(`${online.customer_name}X`);
    await mobile.getByTestId('pay-lookup').click();
    await mobile.getByTestId('pay-lookup-error').waitFor();

    await input(mobile, 'pay-name').fill(online.customer_name);
    await mobile.getByTestId('pay-lookup').click();
    await mobile.getByTestId('pay-to-pay').waitFor();
    expect(await mobile.getByTestId('pay-to-pay').textContent()).toBe(`¥${yuanText(statement.toPayFen)}`);
    expect(await mobile.getByTestId('pay-arrears').textContent()).toBe(yuanText(12_345));
    expect(await mobile.getByTestId('pay-penalty').textContent()).toBe(yuanText(statement.penaltyFen));
    expect(await mobile.getByTestId('pay-masked-name').textContent()).not.toBe(online.customer_name);
    expect(await mobile.locator(`[data-testid=pay-bill][data-bill-id="${onlineBillId}"]`).count()).toBe(1);
    // the amount starts at 应缴合计
    expect(await input(mobile, 'pay-amount').inputValue()).toBe(yuanText(statement.toPayFen).replace(/,/g, ''));
    expect(await noSideScroll(mobile), 'no sideways scrolling at 375 px').toBe(true);
    await screenshot(mobile, 'payments-mobile-pay.png');
  });

  it('WeChat Pay opens the sandbox checkout; 确认支付 makes the order paid and the result shows the receipt', async () => {
    await mobile.getByTestId('pay-channel-wechatpay').click();
    expect(await mobile.getByTestId('pay-channel-wechatpay').getAttribute('aria-checked')).toBe('true');
    await mobile.getByTestId('pay-submit').click();
    await mobile.waitForURL(/\/pay\/sandbox\/[0-9A-Za-z_-]+$/);
    await mobile.getByTestId('sandbox-banner').waitFor();
    expect(await mobile.getByTestId('sandbox-banner').textContent()).toContain('沙箱');
    const statement = await accountStatement(e2e.handle.db, online.id, today);
    expect(await mobile.getByTestId('sandbox-amount').textContent()).toBe(`¥${yuanText(statement.toPayFen)}`);
    expect(await noSideScroll(mobile)).toBe(true);
    await screenshot(mobile, 'payments-mobile-sandbox-checkout.png');

    await mobile.getByTestId('sandbox-pay').click();
    await mobile.waitForURL(/\/pay\/result\//);
    await mobile.getByTestId('pay-success').waitFor({ timeout: 20_000 });
    expect(await mobile.getByTestId('pay-success-amount').textContent()).toBe(`¥${yuanText(statement.toPayFen)}`);
    expect(await mobile.getByTestId('pay-success-account').textContent()).toBe(online.account_no);
    expect(await mobile.getByTestId('pay-success-words').textContent()).toMatch(/^人民币[零壹贰叁肆伍陆柒捌玖拾佰仟万元角分整]+$/);
    expect(await noSideScroll(mobile)).toBe(true);
    await screenshot(mobile, 'payments-mobile-result.png');

    const payment = (
      await sql<{ id: number; amount_fen: number; penalty_fen: number; order_id: number | null }>`
        select id::int, amount_fen::int, penalty_fen::int, order_id::int from payment where account_id = ${online.id} and channel = 'wechatpay'`.execute(e2e.handle.db)
    ).rows;
    expect(payment).toHaveLength(1);
    expect(payment[0]).toMatchObject({ amount_fen: statement.toPayFen, penalty_fen: statement.penaltyFen });
    expect(payment[0]!.order_id).not.toBeNull();
    onlinePaymentId = payment[0]!.id;
    const settled = (await sql<{ settled_on: string | null }>`select settled_on::text from bill_settlement where account_id = ${online.id} and bill_id = ${onlineBillId}`.execute(e2e.handle.db)).rows[0];
    expect(settled?.settled_on).toBe(today);
  });
});

describe('the station cashier sees it paid, and takes a payment at the counter', () => {
  it('the customer page shows the bill 已缴清, nothing owed, and the payment opens its receipt', async () => {
    await signIn(e2e, 'hongwansi.cashier');
    expect(await page.getByTestId('menu-payments').count()).toBe(1);
    expect(await page.getByTestId('menu-approvals').count()).toBe(1);
    expect(await page.getByTestId('menu-reconciliation').count()).toBe(0);

    await page.goto(`${baseUrl}/accounts/${online.id}`);
    const bill = page.locator(`[data-testid=bill-row][data-bill-id="${onlineBillId}"]`);
    await bill.waitFor({ timeout: 15_000 });
    await expect.poll(() => bill.getAttribute('data-pay-state'), { timeout: 10_000 }).toBe('paid');
    expect(await bill.getByTestId('bill-pay-state').textContent()).toBe('已缴清');
    expect(await page.getByTestId('figure-arrears').getAttribute('data-fen')).toBe('0');
    expect(await page.getByTestId('figure-penalty').getAttribute('data-fen')).toBe('0');
    const row = page.locator(`[data-testid=payment-row][data-payment-id="${onlinePaymentId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('微信支付');
    await screenshot(page, 'payments-account-paid.png');

    await row.getByTestId('payment-receipt-link').click();
    await page.waitForURL(new RegExp(`/payments/receipt/${onlinePaymentId}$`));
    await page.getByTestId('receipt').waitFor();
    const payment = (await sql<{ amount_fen: number }>`select amount_fen::int from payment where id = ${onlinePaymentId} and account_id = ${online.id}`.execute(e2e.handle.db)).rows[0]!;
    expect(await page.getByTestId('receipt-account-no').textContent()).toBe(online.account_no);
    expect(await page.getByTestId('receipt-amount').textContent()).toBe(`¥${yuanText(payment.amount_fen)}`);
    expect(await page.locator(`[data-testid=receipt-line][data-bill-id="${onlineBillId}"]`).textContent()).toContain(period);
    expect(await page.getByTestId('receipt-issuer').textContent()).toContain('红湾寺');
    await screenshot(page, 'payments-receipt-online.png');
  });

  it('a counter payment: 元 parsed exactly, confirmed, the lost first answer retried with the same key — one payment, one receipt', async () => {
    const statement = await accountStatement(e2e.handle.db, counter.id, today);
    const amountFen = statement.toPayFen + 1_000; // 10.00 元 more than owed: the rest becomes prepaid
    await page.getByTestId('menu-payments').click();
    await page.waitForURL(/\/payments$/);
    await input(page, 'counter-search').fill(counter.account_no);
    await page.getByTestId('counter-account-row').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('counter-account-row').first().click();
    await page.waitForURL(new RegExp(`/payments\\?accountId=${counter.id}$`));
    await page.getByTestId('statement-to-pay').waitFor();
    expect(await page.getByTestId('statement-to-pay').getAttribute('data-fen')).toBe(String(statement.toPayFen));
    expect(await page.locator(`[data-testid=open-bill-row][data-bill-id="${counterBillId}"]`).count()).toBe(1);

    // more than two decimals is refused before anything is sent
    await input(page, 'amount-input').fill('12.345');
    expect(await page.getByTestId('amount-input-words').textContent()).toContain('两位小数');
    expect(await page.getByTestId('collect-submit').isDisabled()).toBe(true);
    await input(page, 'amount-input').fill(yuanText(amountFen).replace(/,/g, ''));
    await expect.poll(() => page.getByTestId('amount-input-words').textContent()).toMatch(/^大写：/);

    // The first POST reaches the server (the payment is taken) but its answer is lost on the way back.
    const posts: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/payments') posts.push(r);
    });
    let dropped = false;
    await page.route('**/api/v1/payments', async (route) => {
      if (!dropped && route.request().method() === 'POST') {
        dropped = true;
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });

    await page.getByTestId('collect-submit').click();
    await page.getByTestId('collect-confirm-dialog').waitFor();
    expect(await page.getByTestId('confirm-words').textContent()).toMatch(/元/);
    await page.waitForTimeout(400); // the dialog's opening animation, for the picture
    await screenshot(page, 'payments-counter-confirm.png');
    await page.getByTestId('collect-confirm').click();
    await page.getByTestId('collect-error').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('collect-error').textContent()).toContain('不会重复收费');
    await page.getByTestId('collect-confirm').click(); // 重试
    await page.waitForURL(/\/payments\/receipt\/\d+$/, { timeout: 15_000 });
    await page.unroute('**/api/v1/payments');
    counterPaymentId = Number(/\/receipt\/(\d+)$/.exec(page.url())![1]);

    expect(posts).toHaveLength(2);
    const keys = posts.map((r) => r.headers()['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    const taken = (await sql<{ id: number; amount_fen: number; prepaid_fen: number }>`select id::int, amount_fen::int, prepaid_fen::int from payment where account_id = ${counter.id}`.execute(e2e.handle.db)).rows;
    expect(taken, 'one payment for two requests with the same key').toEqual([{ id: counterPaymentId, amount_fen: amountFen, prepaid_fen: 1_000 }]);

    await page.getByTestId('payment-done').waitFor();
    const cashier = (await sql<{ display_name: string }>`select display_name from app_user where username = 'hongwansi.cashier'`.execute(e2e.handle.db)).rows[0]!;
    expect(await page.getByTestId('receipt-operator').textContent()).toBe(cashier.display_name);
    expect(await page.getByTestId('receipt-account-no').textContent()).toBe(counter.account_no);
    expect(await page.getByTestId('receipt-total').textContent()).toBe(yuanText(amountFen));
    expect(await page.getByTestId('receipt-lines').textContent()).toContain('转入预收');
    expect(await page.locator(`[data-testid=receipt-line][data-bill-id="${counterBillId}"]`).count()).toBe(1);
    // what remains owed after the payment (issue 17): nothing, and the prepaid balance it left
    const after = await accountStatement(e2e.handle.db, counter.id, today);
    await page.getByTestId('receipt-owed').waitFor();
    expect(after.toPayFen).toBe(0);
    expect(await page.getByTestId('receipt-owed-total').textContent()).toBe('已无欠费');
    expect(await page.getByTestId('receipt-prepaid-balance').textContent()).toBe(`¥${yuanText(after.prepaidFen)}`);
    await screenshot(page, 'payments-counter-receipt.png');

    // 打印 calls window.print(); on paper only the receipt remains
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void ((window as unknown as { printed: number }).printed += 1);
    });
    await page.getByTestId('receipt-print').click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.ant-layout-header').isVisible()).toBe(false);
    expect(await page.getByTestId('receipt-print').isVisible()).toBe(false);
    expect(await page.getByTestId('receipt').isVisible()).toBe(true);
    await screenshot(page, 'payments-counter-receipt-print.png');
    await page.emulateMedia({ media: 'screen' });
  });

  it('the cashier asks for the reversal; the station head approves it one level up, and asks for a penalty waiver', async () => {
    await page.goto(`${baseUrl}/accounts/${counter.id}`);
    const row = page.locator(`[data-testid=payment-row][data-payment-id="${counterPaymentId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId('request-reversal').click();
    await page.getByTestId('request-dialog').waitFor();
    await page.getByTestId('request-reason').fill('客户交错户号，申请冲正');
    await page.getByTestId('request-submit').click();
    await expect.poll(async () => (await sql<{ n: number }>`select count(*)::int as n from approval_request where payment_id = ${counterPaymentId} and status = 'pending'`.execute(e2e.handle.db)).rows[0]!.n).toBe(1);

    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await signIn(e2e, 'hongwansi.head');
    await page.getByTestId('menu-approvals').click();
    await page.waitForURL(/\/approvals$/);
    const pending = page.locator('[data-testid=approval-row][data-kind="payment.reversal"]');
    await pending.first().waitFor({ timeout: 15_000 });
    expect(await pending.first().textContent()).toContain('客户交错户号');
    await screenshot(page, 'payments-approvals.png');
    await pending.first().getByTestId('approve').click();
    await page.getByTestId('decision-note').fill('核实无误，同意冲正');
    await page.getByTestId('decision-confirm').click();
    await expect.poll(() => pending.count(), { timeout: 15_000 }).toBe(0);

    const reversed = (await sql<{ reversed: boolean }>`select reversed from payment where account_id = ${counter.id} and id = ${counterPaymentId}`.execute(e2e.handle.db)).rows[0]!;
    expect(reversed.reversed).toBe(true);
    await page.getByTestId('approvals-tab-history').click();
    await page.locator('[data-testid=approval-row][data-status=approved]').first().waitFor();

    // the account page shows the payment reversed and the bill owed again; the receipt carries the stamp
    await page.goto(`${baseUrl}/accounts/${counter.id}`);
    const bill = page.locator(`[data-testid=bill-row][data-bill-id="${counterBillId}"]`);
    await expect.poll(() => bill.getAttribute('data-pay-state'), { timeout: 15_000 }).toBe('unpaid');
    expect(await page.locator(`[data-testid=payment-row][data-payment-id="${counterPaymentId}"]`).getAttribute('data-reversed')).toBe('true');
    await page.goto(`${baseUrl}/payments/receipt/${counterPaymentId}`);
    await page.getByTestId('receipt-reversed').waitFor();

    // the bill is overdue again: the station head asks the company to waive its penalty
    await page.goto(`${baseUrl}/accounts/${counter.id}`);
    await expect.poll(async () => Number(await page.getByTestId('figure-penalty').getAttribute('data-fen')), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByTestId('request-waiver').click();
    await page.getByTestId('request-dialog').waitFor();
    await page.getByTestId('request-reason').fill('冲正后重新计收，违约金申请减免');
    await page.getByTestId('request-submit').click();
    await expect
      .poll(async () => (await sql<{ n: number }>`select count(*)::int as n from approval_request where account_id = ${counter.id} and kind = 'penalty.waiver' and status = 'pending'`.execute(e2e.handle.db)).rows[0]!.n)
      .toBe(1);
  });
});

describe('marketing approves the waiver, reconciles the WeChat Pay day and posts a bank debit file', () => {
  it('the waiver is approved; a trade bill with the customer’s payment and one unknown trade: matched, and one channel-only item reviewed', async () => {
    const p = (
      await sql<{ channel_txn_id: string; amount_fen: number; paid_at: Date; out_trade_no: string }>`
        select p.channel_txn_id, p.amount_fen::int, p.paid_at, o.out_trade_no
        from payment p join payment_order o on o.id = p.order_id
        where p.account_id = ${online.id} and p.id = ${onlinePaymentId}`.execute(e2e.handle.db)
    ).rows[0]!;
    const beijing = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    const yuan = (fen: number) => yuanText(fen).replace(/,/g, '');
    const row = (at: string, txn: string, out: string, amount: string) =>
      [at, 'wxd0000000granary', '1900000001', '0', '', txn, out, 'oUser', 'NATIVE', 'SUCCESS', 'OTHERS', 'CNY', amount, '0.00', '0', '0', '0.00', '0.00', '', '', '电费', '', '0.00', '0.60%', amount, '0.00', ''].map((v) => `\`${v}`).join(',');
    const bill = [
      '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
      row(beijing(p.paid_at), p.channel_txn_id, p.out_trade_no, yuan(p.amount_fen)),
      row(beijing(p.paid_at), '4200009999202600000000000001', 'GRUNKNOWN000000001', '66.60'),
      '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
      ['2', yuan(p.amount_fen + 6_660), '0.00', '0.00', '0.00', yuan(p.amount_fen + 6_660), '0.00'].map((v) => `\`${v}`).join(','),
    ].join('\r\n');

    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await signIn(e2e, 'marketing');

    // the station head's waiver request is decided at company level
    await page.getByTestId('menu-approvals').click();
    const waiver = page.locator('[data-testid=approval-row][data-kind="penalty.waiver"]');
    await waiver.first().waitFor({ timeout: 15_000 });
    await waiver.first().getByTestId('approve').click();
    await page.getByTestId('decision-confirm').click();
    await expect.poll(() => waiver.count(), { timeout: 15_000 }).toBe(0);
    const waived = (await sql<{ fen: number }>`select penalty_waived_fen::int as fen from bill_settlement where account_id = ${counter.id} and bill_id = ${counterBillId}`.execute(e2e.handle.db)).rows[0];
    expect(waived?.fen).toBeGreaterThan(0);

    await page.getByTestId('menu-reconciliation').click();
    await page.waitForURL(/\/reconciliation$/);
    await page.getByTestId('recon-import').click();
    await page.getByTestId('recon-import-channel').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '微信支付' }).click();
    await page.locator('.ant-modal input[type=file]').setInputFiles({ name: `wechatpay-${today}.csv`, mimeType: 'text/csv', buffer: Buffer.from(bill, 'utf8') });
    await page.getByTestId('recon-import-submit').click();
    await page.locator('[data-testid=recon-import-result], [data-testid=recon-import-error]').first().waitFor({ timeout: 60_000 });
    expect(await shownText(page, 'recon-import-error'), 'the import is refused').toBe('');
    await page.getByRole('button', { name: '关闭' }).click();

    const day = page.locator(`[data-testid=recon-day-row][data-channel=wechatpay][data-date="${businessDate(p.paid_at)}"]`);
    await day.waitFor({ timeout: 15_000 });
    expect(await day.getByTestId('recon-unresolved').textContent()).toBe('1');
    await screenshot(page, 'payments-reconciliation.png');
    await day.click();
    await page.waitForURL(/\/reconciliation\/wechatpay\/\d{4}-\d{2}-\d{2}$/);
    const item = page.locator('[data-testid=recon-item-row][data-status=channel_only]');
    await item.waitFor({ timeout: 15_000 });
    await page.waitForTimeout(300); // the table's loading veil, for the picture
    await screenshot(page, 'payments-reconciliation-day.png');
    await item.getByTestId('recon-resolve').click();
    await page.locator('[data-testid=recon-resolution] input[value=channel_error]').check();
    await page.getByTestId('recon-resolve-note').fill('渠道多列一笔，已联系微信支付更正');
    await page.getByTestId('recon-resolve-confirm').click();
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(0);
    const items = (await sql<{ status: string; resolved: boolean }>`select status, resolution is not null as resolved from recon_item where channel = 'wechatpay' order by status`.execute(e2e.handle.db)).rows;
    expect(items).toEqual([
      { status: 'channel_only', resolved: true },
      { status: 'matched', resolved: false },
    ]);
  });

  it('a debit result file: one line debited and posted, one refused by the bank with its reason', async () => {
    const file = ['bank_txn_id,account_no,amount,debit_date,status,bank_message', `ICBC${today.replace(/-/g, '')}000001,${debit.account_no},50.00,${today},S,`, `ICBC${today.replace(/-/g, '')}000002,${counter.account_no},87.60,${today},F,余额不足`].join('\n');
    await page.getByTestId('menu-bank-files').click();
    await page.waitForURL(/\/bank-files$/);
    await page.getByTestId('bank-file-import').click();
    await page.getByTestId('bank-file-bank').click();
    await page.locator('.ant-select-item-option').filter({ hasText: 'ICBC' }).click();
    await page.locator('.ant-modal input[type=file]').setInputFiles({ name: `ICBC_DK_${today.replace(/-/g, '')}.csv`, mimeType: 'text/csv', buffer: Buffer.from(file, 'utf8') });
    await page.getByTestId('bank-file-submit').click();
    const outcome = page.locator('[data-testid=bank-file-import-result], [data-testid=bank-file-error]');
    await outcome.first().waitFor({ timeout: 60_000 });
    expect(await shownText(page, 'bank-file-error'), 'the upload is refused').toBe('');
    expect(await page.getByTestId('bank-file-reasons').first().textContent()).toContain('银行扣款失败');
    await page.getByRole('button', { name: '关闭' }).click();
    const row = page.getByTestId('bank-file-row').first();
    await row.waitFor();
    expect(await row.getByTestId('bank-file-accepted').textContent()).toBe('1');
    expect(await row.getByTestId('bank-file-rejected').textContent()).toBe('1');
    const csv = await page.context().request.get(new URL((await row.getByTestId('bank-file-result').getAttribute('href'))!, baseUrl).toString());
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('bank_failed');
    await screenshot(page, 'payments-bank-files.png');

    const paid = (await sql<{ amount_fen: number }>`select amount_fen::int from payment where account_id = ${debit.id} and channel = 'bank'`.execute(e2e.handle.db)).rows;
    expect(paid).toEqual([{ amount_fen: 5_000 }]);
    expect(await checkLedger(e2e.handle.db)).toMatchObject({ ok: true });
  });
});
