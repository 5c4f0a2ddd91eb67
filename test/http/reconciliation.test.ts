import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { applyPayment } from '../../src/modules/payments/index.js';
import { WECHATPAY_HEADER, WECHATPAY_SUMMARY_HEADER } from '../../src/modules/reconciliation/domain/statements.js';
import { registerReconciliationCommands } from '../../src/modules/reconciliation/index.js';
import { commandDeps } from '../../src/cli/deps.js';
import { importStatement } from '../../src/workflows/import-statement.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * Reconciliation (对账) end to end on the fixture county: WeChat Pay's trade bill of 2026-10-05 against a
 * ledger with injected discrepancies — one payment the ledger never heard of (its callback was lost), one
 * the statement lacks, one whose amounts differ, the rest matching — each found with the right status;
 * the lost one applied exactly once; the same file again changes nothing; the report and its xlsx; review;
 * `checkLedger` (I3, I6) clean afterwards.
 */
const api = '/api/v1';
const DAY = '2026-10-05';
let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;

const tick = (cells: string[]) => cells.map((c) => `\`${c}`).join(',');
interface Trade {
  txn: string;
  out: string;
  yuan: string;
  time: string;
}
function wechatBill(trades: Trade[]): Buffer {
  const rows = trades.map((r) =>
    tick([r.time, 'wx2421b1c4370ec43b', '1900000109', '0', '', r.txn, r.out, 'oUpF8uMuAJO', 'JSAPI', 'SUCCESS', 'CMC', 'CNY', r.yuan, '0.00', '0', '0', '0.00', '0.00', '', '', '电费', '', '0.00', '0.60%', r.yuan, '0.00', '']),
  );
  return Buffer.from([WECHATPAY_HEADER, ...rows, WECHATPAY_SUMMARY_HEADER, tick([String(rows.length), '0', '0', '0', '0', '0', '0'])].join('\r\n') + '\r\n');
}

/** out_trade_no → order; every trade of the day has one (the customer started it on the payment page). */
async function order(outTradeNo: string, accountId: number, amountFen: number): Promise<number> {
  const row = await handle.db
    .insertInto('payment_order')
    .values({ out_trade_no: outTradeNo, account_id: accountId, channel: 'wechatpay', amount_fen: amountFen, expires_at: new Date('2026-10-05T23:59:59+08:00') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A callback that did arrive: the payment in the ledger, through the payments core. */
async function callback(txn: string, accountId: number, amountFen: number, orderId: number, time: string) {
  await handle.db.transaction().execute((trx) => applyPayment(trx, { accountId, channel: 'wechatpay', channelTxnId: txn, amountFen, paidAt: new Date(`${time.replace(' ', 'T')}+08:00`), orderId }));
}

const upload = (body: Buffer, query = 'channel=wechatpay&fileName=wx-20261005.csv', user: 'marketing' | 'admin' | 'manager' | 'headA' = 'marketing') =>
  t.as(user, { method: 'POST', url: `${api}/reconciliation/imports?${query}`, payload: body as unknown as string, headers: { 'content-type': 'text/csv' } });

const W = (n: number) => `420000123420261005000000000${n}`;
let trades: Trade[];

async function countRows() {
  const { rows } = await sql<{ payments: number; items: number; days: number; imports: number; transfers: number; orders_paid: number }>`
    select (select count(*) from payment)::int as payments, (select count(*) from recon_item)::int as items, (select count(*) from recon_day)::int as days,
           (select count(*) from recon_import)::int as imports, (select count(*) from ledger_transfer)::int as transfers,
           (select count(*) from payment_order where status = 'paid')::int as orders_paid`.execute(handle.db);
  return rows[0]!;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  t = await buildTestApp(handle, { clock: new FixedClock(new Date('2026-10-06T10:00:00+08:00')) });
  for (const u of ['admin', 'manager', 'marketing', 'auditor', 'headA', 'headB', 'cashierA'] as const) await t.tokenFor(u); // logins are not writes later

  // The day: seven trades on the merchant's side.
  const plan = [
    { n: 1, account: fx.accounts.A1, fen: 7663, time: '2026-10-05 08:01:02' }, // matched
    { n: 2, account: fx.accounts.A2, fen: 12000, time: '2026-10-05 09:15:00' }, // matched
    { n: 3, account: fx.accounts.B1, fen: 5000, time: '2026-10-05 12:00:00' }, // matched
    { n: 4, account: fx.accounts.A1, fen: 10000, time: '2026-10-05 13:30:00' }, // ledger 100.00, statement 99.00
    { n: 5, account: fx.accounts.B1, fen: 2500, time: '2026-10-05 18:45:10' }, // in the ledger, not on the statement
    { n: 6, account: fx.accounts.A2, fen: 8800, time: '2026-10-05 23:59:59' }, // on the statement, its callback lost
  ];
  trades = [];
  for (const p of plan) {
    const out = `GR202610050000${p.n}`;
    const orderId = await order(out, p.account, p.fen);
    if (p.n !== 6) await callback(W(p.n), p.account, p.fen, orderId, p.time);
    if (p.n !== 5) trades.push({ txn: W(p.n), out, yuan: p.n === 4 ? '99.00' : (p.fen / 100).toFixed(2), time: p.time });
  }
  // a payment of the day before, which this statement does not cover
  await callback(`4200001234202610040000000001`, fx.accounts.A1, 100, await order('GR20261004000001', fx.accounts.A1, 100), '2026-10-04 23:59:59');
});

afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

describe('a WeChat Pay trade bill with injected discrepancies', () => {
  let importId: number;

  it('refuses a bad file with 422 naming row and column, writing nothing', async () => {
    const before = await fingerprintTables(handle.db);
    const bad = wechatBill([...trades.slice(0, 2), { ...trades[2]!, yuan: '50.0x' }]);
    const res = await upload(bad);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'row 4, 订单金额', message: 'not an amount in 元 with at most two decimals: "50.0x"' }]);
    const noBank = await upload(Buffer.from('date,bank_txn_id,account_no,amount,status\n'), 'channel=bank');
    expect(noBank.statusCode, noBank.body).toBe(422);
    expect(noBank.json().errors[0].field).toBe('bank');
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('is for marketing and admin to import', async () => {
    for (const u of ['manager', 'headA'] as const) expect((await upload(wechatBill(trades), undefined, u)).statusCode).toBe(403);
  });

  it('finds each discrepancy, and applies the lost payment exactly once', async () => {
    const before = await countRows();
    const res = await upload(wechatBill(trades));
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    importId = r.importId;
    expect(r).toMatchObject({ replayed: false, channel: 'wechatpay', fileName: 'wx-20261005.csv', rows: 5, statementFen: 7663 + 12000 + 5000 + 9900 + 8800, days: [DAY] });
    expect(r.counts).toEqual({ matched: 3, amountMismatch: 1, channelOnlyApplied: 1, channelOnlyUnapplied: 0, heldForReview: 0, ledgerOnly: 1, alreadyReconciled: 0 });

    const items = await handle.db.selectFrom('recon_item').selectAll().orderBy('channel_txn_id').execute();
    expect(items.map((i) => [i.channel_txn_id, i.status, i.statement_fen, i.ledger_fen, i.business_date])).toEqual([
      [W(1), 'matched', 7663, 7663, DAY],
      [W(2), 'matched', 12000, 12000, DAY],
      [W(3), 'matched', 5000, 5000, DAY],
      [W(4), 'amount_mismatch', 9900, 10000, DAY],
      [W(5), 'ledger_only', null, 2500, DAY],
      [W(6), 'channel_only', 8800, 8800, DAY],
    ]);
    // the lost callback's payment: applied once, to the order's account, its order marked paid
    const applied = await handle.db.selectFrom('payment').selectAll().where('channel_txn_id', '=', W(6)).execute();
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ account_id: fx.accounts.A2, amount_fen: 8800, channel: 'wechatpay', business_date: DAY, reversed: false });
    expect(items.find((i) => i.channel_txn_id === W(6))!.payment_id).toBe(applied[0]!.id);
    const transfers = await handle.db.selectFrom('ledger_transfer').selectAll().where('ref_type', '=', 'payment').where('ref_id', '=', applied[0]!.id).where('kind', '=', 'payment').execute();
    expect(transfers).toHaveLength(1);
    expect(await handle.db.selectFrom('payment_order').select(['status', 'payment_id']).where('out_trade_no', '=', 'GR2026100500006').executeTakeFirst()).toEqual({ status: 'paid', payment_id: applied[0]!.id });
    // nothing else was touched: the amount mismatch is quarantined, the other day not flagged
    const after = await countRows();
    expect(after).toEqual({ ...before, payments: before.payments + 1, items: 6, days: 1, imports: 1, transfers: after.transfers, orders_paid: before.orders_paid + 1 });
    expect(await handle.db.selectFrom('recon_day').selectAll().execute()).toEqual([{ channel: 'wechatpay', business_date: DAY, import_id: importId, statement_count: 5, statement_fen: 43363 }]);
    const audit = await handle.db.selectFrom('audit_log').select(['action', 'entity_id']).where('action', '=', 'reconciliation.import').execute();
    expect(audit).toEqual([{ action: 'reconciliation.import', entity_id: String(importId) }]);
  });

  it('changes nothing when the same file comes again (its first result is returned)', async () => {
    const before = await fingerprintTables(handle.db);
    const res = await upload(wechatBill(trades), 'channel=wechatpay&fileName=again.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ importId, replayed: true, fileName: 'wx-20261005.csv', counts: { matched: 3, channelOnlyApplied: 1 } });
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('reports the day per channel', async () => {
    const res = await t.as('manager', { method: 'GET', url: `${api}/reconciliation/days?from=2026-10-01&to=2026-10-31` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      {
        channel: 'wechatpay',
        date: DAY,
        statementCount: 5,
        statementFen: 43363,
        ledgerCount: 6,
        ledgerFen: 7663 + 12000 + 5000 + 10000 + 2500 + 8800,
        matched: 3,
        channelOnly: 1,
        ledgerOnly: 1,
        amountMismatch: 1,
        unresolved: 2,
      },
    ]);
    expect((await t.as('manager', { method: 'GET', url: `${api}/reconciliation/days?channel=alipay&from=2026-10-01&to=2026-10-31` })).json().items).toEqual([]);
    expect((await t.as('manager', { method: 'GET', url: `${api}/reconciliation/days?from=2026-10-31&to=2026-10-01` })).statusCode).toBe(422);
    expect((await t.as('manager', { method: 'GET', url: `${api}/reconciliation/days?from=2025-01-01&to=2026-10-31` })).statusCode).toBe(422);
    expect((await t.as('headA', { method: 'GET', url: `${api}/reconciliation/days?from=2026-10-01&to=2026-10-31` })).statusCode).toBe(403);
  });

  it('gives the report as xlsx with the same totals', async () => {
    const res = await t.as('auditor', { method: 'GET', url: `${api}/reconciliation/days.xlsx?from=2026-10-01&to=2026-10-31&channel=wechatpay` });
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('对账日报')!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(2)[0]).toBe('日期');
    expect(values(3)).toEqual([DAY, '微信支付', 5, 433.63, 6, 459.63, 26, 3, 1, 1, 1, 2, 43363, 45963]);
    expect(values(4)).toEqual(['合计', undefined, 5, 433.63, 6, 459.63, 26, 3, 1, 1, 1, 2, 43363, 45963]);
  });

  it('lists the items of the day in scope: all for company readers, their station for station heads', async () => {
    const all = await t.as('marketing', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items` });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().items).toHaveLength(6);
    const open = await t.as('marketing', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items?unresolved=true` });
    expect(open.json().items.map((i: { channelTxnId: string; exception: boolean }) => [i.channelTxnId, i.exception])).toEqual([
      [W(4), true],
      [W(5), true],
    ]);
    const headA = await t.as('headA', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items` });
    expect(headA.statusCode, headA.body).toBe(200);
    expect(new Set(headA.json().items.map((i: { accountId: number }) => i.accountId))).toEqual(new Set([fx.accounts.A1, fx.accounts.A2]));
    const headB = await t.as('headB', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items?status=ledger_only` });
    expect(headB.json().items.map((i: { channelTxnId: string; accountNo: string }) => i.channelTxnId)).toEqual([W(5)]);
    expect((await t.as('cashierA', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items` })).statusCode).toBe(403);
    expect((await t.as('marketing', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/2026-10-04/items` })).statusCode).toBe(404);
    const page = await t.as('marketing', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items?limit=4` });
    const next = await t.as('marketing', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items?limit=4&cursor=${page.json().nextCursor}` });
    expect([...page.json().items, ...next.json().items].map((i: { id: number }) => i.id)).toEqual(all.json().items.map((i: { id: number }) => i.id));
  });

  it('keeps the ledger invariants, with the open exceptions as I6 warnings', async () => {
    const report = await checkLedger(handle.db);
    expect(report.violations).toEqual([]);
    expect(report.warnings.map((w) => w.message)).toEqual([expect.stringContaining(`amount_mismatch item`), expect.stringContaining(`ledger_only item`)]);
  });

  it('resolves exceptions (marketing, admin), once, audited; checkLedger passes with nothing left to review', async () => {
    const items = await handle.db.selectFrom('recon_item').select(['id', 'channel_txn_id']).execute();
    const id = (n: number) => items.find((i) => i.channel_txn_id === W(n))!.id;
    const resolve = (user: 'marketing' | 'admin' | 'manager' | 'headB', itemId: number, body: unknown) => t.as(user, { method: 'POST', url: `${api}/reconciliation/items/${itemId}/resolve`, payload: body });

    expect((await resolve('manager', id(4), { resolution: 'channel_error', note: '渠道少记1元' })).statusCode).toBe(403);
    expect((await resolve('headB', id(5), { resolution: 'written_off', note: '核销' })).statusCode).toBe(403);
    expect((await resolve('marketing', id(1), { resolution: 'written_off', note: '无差异' })).statusCode).toBe(409);
    expect((await resolve('marketing', id(4), { resolution: 'maybe', note: '——' })).statusCode).toBe(422);
    const accept = await resolve('marketing', id(5), { resolution: 'accepted_statement', note: '渠道无此笔' });
    expect(accept.statusCode).toBe(409);
    expect(accept.json().detail).toMatch(/reverse it first/);

    const r4 = await resolve('marketing', id(4), { resolution: 'channel_error', note: '微信对账单少记1元，已联系渠道更正' });
    expect(r4.statusCode, r4.body).toBe(200);
    expect(r4.json()).toMatchObject({ id: id(4), status: 'amount_mismatch', resolved: true, resolution: 'channel_error', resolutionNote: '微信对账单少记1元，已联系渠道更正', resolvedBy: fx.users.marketing });
    const r5 = await resolve('admin', id(5), { resolution: 'written_off', note: '经核实记入差错' });
    expect(r5.statusCode, r5.body).toBe(200);
    expect((await resolve('admin', id(5), { resolution: 'written_off', note: '再次' })).statusCode).toBe(409);
    expect((await resolve('admin', 1_999_999_999, { resolution: 'written_off', note: '无此项' })).statusCode).toBe(404);

    const audit = await handle.db.selectFrom('audit_log').select(['action', 'entity_id', 'actor_id']).where('action', '=', 'reconciliation.resolve').orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'reconciliation.resolve', entity_id: String(id(4)), actor_id: fx.users.marketing },
      { action: 'reconciliation.resolve', entity_id: String(id(5)), actor_id: fx.users.admin },
    ]);
    const day = await t.as('manager', { method: 'GET', url: `${api}/reconciliation/days?from=${DAY}&to=${DAY}` });
    expect(day.json().items[0].unresolved).toBe(0);
    const report = await checkLedger(handle.db);
    expect(report.violations).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('an overlapping later file itemises only what is new: the ledger-only payment now on it, an unknown order left for review', async () => {
    const before = await countRows();
    const later = wechatBill([
      trades[0]!,
      { txn: W(5), out: 'GR202610050000' + '5', yuan: '25.00', time: '2026-10-05 18:45:10' },
      { txn: W(7), out: 'GR-NO-SUCH-ORDER', yuan: '1.00', time: '2026-10-05 20:00:00' },
    ]);
    const res = await upload(later, 'channel=wechatpay&fileName=wx-20261005-corrected.csv');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().counts).toEqual({ matched: 1, amountMismatch: 0, channelOnlyApplied: 0, channelOnlyUnapplied: 1, heldForReview: 0, ledgerOnly: 0, alreadyReconciled: 1 });
    const after = await countRows();
    expect(after).toEqual({ ...before, items: before.items + 1, imports: before.imports + 1 });
    const w5 = await handle.db.selectFrom('recon_item').selectAll().where('channel_txn_id', '=', W(5)).executeTakeFirstOrThrow();
    expect(w5).toMatchObject({ status: 'matched', statement_fen: 2500, ledger_fen: 2500, resolved: true });
    const w7 = await handle.db.selectFrom('recon_item').selectAll().where('channel_txn_id', '=', W(7)).executeTakeFirstOrThrow();
    expect(w7).toMatchObject({ status: 'channel_only', payment_id: null, account_id: null, reason: 'not applied: no payment order GR-NO-SUCH-ORDER' });
    expect(await handle.db.selectFrom('recon_day').select(['statement_count', 'statement_fen']).executeTakeFirst()).toEqual({ statement_count: 7, statement_fen: 43363 + 2500 + 100 });
    // station heads do not see an item of no account; company readers do
    expect((await t.as('headA', { method: 'GET', url: `${api}/reconciliation/days/wechatpay/${DAY}/items` })).json().items.map((i: { channelTxnId: string }) => i.channelTxnId)).not.toContain(W(7));
    const report = await checkLedger(handle.db);
    expect(report.violations).toEqual([]);
    expect(report.warnings.map((w) => w.message)).toEqual([expect.stringContaining(`channel_only item ${w7.id}`)]);
  });
});

describe('granary reconcile', () => {
  /** The command in this process against the test database (DATABASE_URL), its stdout captured. */
  async function reconcile(args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerReconciliationCommands(program, commandDeps, { importStatement });
    const saved = { url: process.env.DATABASE_URL, log: console.log, err: console.error };
    let out = '';
    process.env.DATABASE_URL = handle.url;
    console.log = (m: unknown) => void (out += `${String(m)}\n`);
    console.error = () => {};
    try {
      await program.parseAsync(['node', 'granary', 'reconcile', ...args]);
    } finally {
      if (saved.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved.url;
      console.log = saved.log;
      console.error = saved.err;
    }
    return out;
  }

  it('imports a grid app statement and prints the summary; the same file again changes nothing', async () => {
    const outTradeNo = 'GR-CLI-1';
    await handle.db.insertInto('payment_order').values({ out_trade_no: outTradeNo, account_id: fx.accounts.B1, channel: 'gridapp', amount_fen: 4321, expires_at: new Date('2026-10-07T00:00:00+08:00') }).execute();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'granary-recon-'));
    const file = path.join(dir, 'gridapp-20261006.csv');
    await writeFile(file, `txnId,outTradeNo,amountFen,paidAt,status\nGA-CLI-1,${outTradeNo},4321,2026-10-06T09:30:00+08:00,SUCCESS\n`);
    const first = await reconcile(['--channel', 'gridapp', '--file', file]);
    expect(first).toMatch(/^imported gridapp statement gridapp-20261006\.csv \(import \d+/);
    expect(first).toContain('days:               2026-10-06');
    expect(first).toContain('statement:          1 payments, 43.21 元');
    expect(first).toContain('channel only:       1 applied now, 0 not applied (for review; 0 held above the review limit)');
    const before = await fingerprintTables(handle.db);
    const again = await reconcile(['--channel', 'gridapp', '--file', file, '--json']);
    expect(JSON.parse(again)).toMatchObject({ replayed: true, counts: { channelOnlyApplied: 1 } });
    expect(await fingerprintTables(handle.db)).toEqual(before);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});
