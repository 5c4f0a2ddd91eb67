import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { balancesOf, checkLedger, postTransfer, transfersFor, type TransferDraft } from '../../src/modules/ledger/index.js';
import { applyPayment } from '../../src/modules/payments/index.js';
import { reconciliationSystemOperator } from '../../src/modules/reconciliation/index.js';
import { importStatement } from '../../src/workflows/import-statement.js';
import { WECHATPAY_HEADER, WECHATPAY_SUMMARY_HEADER } from '../../src/modules/reconciliation/domain/statements.js';
import { seedCounty } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The ledger core on its own: posting balanced transfers, refusing unbalanced ones (in TypeScript and in
 * the database), and `granary ledger check` finding each kind of violation (I1, I2, I4, I5) and exiting 1.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let handle: DatabaseHandle;

const draft = (accountId: number, refId: number, entries: TransferDraft['entries']): TransferDraft => ({
  accountId,
  kind: 'bill.issue',
  refType: 'bill',
  refId,
  businessDate: '2026-11-15',
  memo: null,
  entries,
});

async function ledgerCheckCommand(): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/granary.mjs'), 'ledger', 'check'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: handle.url, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

beforeAll(async () => {
  handle = await createTestDatabase();
});

afterAll(async () => {
  await handle?.close();
});

describe('posting', () => {
  it('posts a balanced transfer and keeps the balances', async () => {
    await handle.db.transaction().execute(async (trx) => {
      await postTransfer(trx, draft(1, 10, [{ book: 'receivable', amountFen: 17500 }, { book: 'revenue.energy', amountFen: -17500 }]));
      await postTransfer(trx, draft(1, 11, [{ book: 'receivable', amountFen: 1000 }, { book: 'revenue.energy', amountFen: -900 }, { book: 'payable.funds', amountFen: -100 }]));
    });
    expect(await balancesOf(handle.db, 1)).toEqual([
      { book: 'payable.funds', balance_fen: -100 },
      { book: 'receivable', balance_fen: 18500 },
      { book: 'revenue.energy', balance_fen: -18400 },
    ]);
    const [t] = await transfersFor(handle.db, 1, 'bill', 11);
    expect(t!.entries.map((e) => [e.book, e.amount_fen])).toEqual([
      ['payable.funds', -100],
      ['receivable', 1000],
      ['revenue.energy', -900],
    ]);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('refuses an unbalanced transfer before it reaches the database', async () => {
    await expect(postTransfer(handle.db, draft(1, 12, [{ book: 'receivable', amountFen: 100 }, { book: 'revenue.energy', amountFen: -99 }]))).rejects.toThrow(/does not balance/);
  });

  it('posts a bill at most once', async () => {
    await expect(postTransfer(handle.db, draft(1, 10, [{ book: 'receivable', amountFen: 1 }, { book: 'revenue.energy', amountFen: -1 }]))).rejects.toThrow(/ledger_transfer_ref/);
  });

  it('passes `granary ledger check` (exit 0)', async () => {
    const r = await ledgerCheckCommand();
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/ledger OK — 2 transfers, 5 entries/);
  }, 60_000);
});

describe('granary ledger check finds every kind of violation', () => {
  beforeAll(async () => {
    // Break the ledger the ways its guards exist to prevent, going around them deliberately.
    await sql`update ledger_balance set balance_fen = balance_fen + 1 where account_id = 1 and book = 'receivable'`.execute(handle.db); // I2
    await sql`alter table ledger_entry disable trigger ledger_entry_balanced`.execute(handle.db);
    await sql`alter table ledger_entry disable trigger ledger_entry_append_only`.execute(handle.db); // I4
    await sql`insert into ledger_transfer (account_id, id, kind, ref_type, ref_id, business_date) values (2, 900, 'bill.issue', 'bill', 20, '2026-11-15')`.execute(handle.db);
    await sql`insert into ledger_entry (account_id, transfer_id, book, amount_fen) values (2, 900, 'receivable', 500), (2, 900, 'revenue.energy', -499)`.execute(handle.db); // I1
    await sql`insert into ledger_balance values (2, 'receivable', 500), (2, 'revenue.energy', -499)`.execute(handle.db);
    await sql`alter table bill add column refund_fen numeric`.execute(handle.db); // I5
  });

  it('lists each violation', async () => {
    const report = await checkLedger(handle.db);
    expect(report.ok).toBe(false);
    const by = (i: string) => report.violations.filter((v) => v.invariant === i).map((v) => v.message);
    expect(by('I1')).toEqual([expect.stringMatching(/transfer 900 of account 2 does not balance: entries sum to 1 fen/)]);
    expect(by('I2')).toEqual([expect.stringMatching(/account 1 receivable: stored balance 18501 fen, entries sum to 18500 fen/)]);
    expect(by('I4')).toEqual([expect.stringMatching(/ledger_entry is not protected/)]);
    expect(by('I5')).toEqual([expect.stringMatching(/bill.refund_fen is numeric/)]);
  });

  it('exits 1 from the command line, printing each', async () => {
    const r = await ledgerCheckCommand();
    expect(r.code, r.output).toBe(1);
    for (const i of ['I1', 'I2', 'I4', 'I5']) expect(r.output).toContain(`${i} `);
    expect(r.output).toMatch(/ledger check FAILED: 4 violation\(s\)/);
  }, 60_000);
});

describe('I3 and I6: payments applied once, reconciled channel-days equal their statements', () => {
  let db2: DatabaseHandle;
  let accounts: { A1: number; A2: number; B1: number };
  const day = '2026-10-05';
  const wx = (n: number) => `4200009999202610050000000${String(n).padStart(3, '0')}`;
  const at = (hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);
  const pay = (accountId: number, channel: 'wechatpay' | 'alipay', txn: string, amountFen: number, paidAt: Date) =>
    db2.db.transaction().execute((trx) => applyPayment(trx, { accountId, channel, channelTxnId: txn, amountFen, paidAt }));
  const bill = (rows: { txn: string; out: string; yuan: string; time: string }[]) =>
    Buffer.from(
      [
        WECHATPAY_HEADER,
        ...rows.map((r) => [`${day} ${r.time}:00`, 'wx1', '1900000109', '0', '', r.txn, r.out, 'o1', 'JSAPI', 'SUCCESS', 'CMC', 'CNY', r.yuan, '0.00', '0', '0', '0.00', '0.00', '', '', '电费', '', '0.00', '0.60%', r.yuan, '0.00', ''].map((c) => `\`${c}`).join(',')),
        WECHATPAY_SUMMARY_HEADER,
        [String(rows.length), '0', '0', '0', '0', '0', '0'].map((c) => `\`${c}`).join(','),
      ].join('\n'),
    );

  beforeAll(async () => {
    db2 = await createTestDatabase();
    accounts = (await seedCounty(db2.db)).accounts;
    await pay(accounts.A1, 'wechatpay', wx(1), 10000, at('09:00'));
    await pay(accounts.A2, 'wechatpay', wx(2), 2000, at('10:00')); // the statement says 19.00
    await pay(accounts.B1, 'wechatpay', wx(3), 3000, at('11:00')); // not on the statement
    await importStatement({ pool: db2.pool, reviewAboveFen: 5_000_000 }, reconciliationSystemOperator(new Date()), {
      channel: 'wechatpay',
      fileName: 'wx.csv',
      body: bill([
        { txn: wx(1), out: 'GR1', yuan: '100.00', time: '09:00' },
        { txn: wx(2), out: 'GR2', yuan: '19.00', time: '10:00' },
      ]),
    });
  });
  afterAll(async () => {
    await db2?.close();
  });

  it('a reconciled day with its differences itemised passes, the unreviewed ones as warnings', async () => {
    const report = await checkLedger(db2.db);
    expect(report.violations).toEqual([]);
    expect(report.warnings).toEqual([
      { invariant: 'I6', message: expect.stringMatching(/^wechatpay 2026-10-05: amount_mismatch item \d+ \(4200009999202610050000000002, statement 1900 fen, ledger 2000 fen\) is not yet reviewed$/) },
      { invariant: 'I6', message: expect.stringMatching(/^wechatpay 2026-10-05: ledger_only item \d+ \(4200009999202610050000000003, statement — fen, ledger 3000 fen\) is not yet reviewed$/) },
    ]);
  });

  it('finds a payment that reached a reconciled day afterwards (I6)', async () => {
    await pay(accounts.A1, 'wechatpay', wx(4), 700, at('22:00'));
    const report = await checkLedger(db2.db);
    expect(report.violations).toEqual([
      { invariant: 'I6', message: 'wechatpay 2026-10-05: ledger 15700 fen, statement 11900 fen; the itemised exceptions explain 3100 fen, 700 fen is unexplained' },
    ]);
  });

  it('finds payments without their transfer, transfers without their payment, and a channel transaction applied twice (I3)', async () => {
    // around the payments core, deliberately: a payment row with no transfer, a payment transfer of no payment
    await sql`insert into payment (account_id, id, channel, channel_txn_id, amount_fen, paid_at, business_date, prepaid_fen)
              values (${accounts.B1}, 900001, 'alipay', 'ALI-1', 500, '2026-10-06T02:00:00Z', '2026-10-06', 500)`.execute(db2.db);
    await postTransfer(db2.db, { accountId: accounts.B1, kind: 'payment', refType: 'payment', refId: 900002, businessDate: '2026-10-06', memo: null, entries: [{ book: 'clearing.alipay', amountFen: 300 }, { book: 'prepaid', amountFen: -300 }] });
    let by = (await checkLedger(db2.db)).violations.filter((v) => v.invariant === 'I3').map((v) => v.message);
    expect(by).toEqual([`payment 900001 of account ${accounts.B1} has 0 payment transfer(s), debiting 0 fen of 500`, expect.stringMatching(/^payment transfer \d+ names payment 900002, which the account does not have \(account \d+\)$/)]);

    await sql`drop index payment_channel_txn`.execute(db2.db);
    await sql`insert into payment (account_id, id, channel, channel_txn_id, amount_fen, paid_at, business_date, prepaid_fen)
              values (${accounts.A2}, 900003, 'alipay', 'ALI-1', 500, '2026-10-06T02:00:00Z', '2026-10-06', 500)`.execute(db2.db);
    by = (await checkLedger(db2.db)).violations.filter((v) => v.invariant === 'I3').map((v) => v.message);
    expect(by).toEqual(
      expect.arrayContaining(['the unique index payment_channel_txn on payment (channel, channel_txn_id) is missing', 'alipay transaction ALI-1 is applied 2 times', expect.stringMatching(/^payment 900003 of account \d+ has 0 payment transfer/)]),
    );
  });
});
