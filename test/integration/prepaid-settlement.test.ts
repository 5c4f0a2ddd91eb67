import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { approveBillRun, startBillRun, startIssue, systemOperator } from '../../src/modules/billing/index.js';
import { balanceOf, checkLedger, eventsAfter } from '../../src/modules/ledger/index.js';
import { accountStatement, applyPayment } from '../../src/modules/payments/index.js';
import { driveBillRun } from '../../src/workflows/issue-bills.js';
import { demoCountyWithIssuedBills } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';

/**
 * Prepaid settlement at issue (RULES §8.4) through the real bill run: a demo county with September issued;
 * some smart-prepaid and purchase-before-use accounts pay in advance, one postpaid account too; October's
 * issue pays the advance accounts' bills from their prepaid balances as far as they go, in the issue's
 * transaction, and leaves the postpaid account's bill open beside its prepaid balance.
 */
let handle: DatabaseHandle;
let companyId: number;
const ADVANCE = 1_000_00;
type Row = { id: number; payment_mode: string };
let advance: Row[];
let postpaid: Row;

beforeAll(async () => {
  handle = await createTestDatabase();
  companyId = await demoCountyWithIssuedBills(handle, { accounts: 200, seed: 3, period: '2026-09', issuedOn: new Date('2026-10-05T10:00:00+08:00') });
  const rows = (await sql<Row>`select id, payment_mode from account order by id`.execute(handle.db)).rows;
  advance = [...rows.filter((r) => r.payment_mode === 'smart_prepaid').slice(0, 4), ...rows.filter((r) => r.payment_mode === 'purchase_before_use').slice(0, 1)];
  postpaid = rows.find((r) => r.payment_mode === 'postpaid')!;
  expect(advance.length).toBeGreaterThanOrEqual(2);
  // each pays its September bill and an advance; the first one only a little advance (its bill will take all of it)
  for (const [i, a] of [...advance, postpaid].entries()) {
    const open = await accountStatement(handle.db, a.id, '2026-10-10');
    const amountFen = open.arrearsFen + open.penaltyFen + (i === 0 ? 100 : ADVANCE);
    await handle.db.transaction().execute((trx) => applyPayment(trx, { accountId: a.id, channel: 'counter', channelTxnId: `ADV-${a.id}`, amountFen, paidAt: new Date('2026-10-10T10:00:00+08:00') }));
  }
  const op = systemOperator(companyId, new Date('2026-11-05T10:00:00+08:00'), 'test');
  const { run } = await startBillRun(handle.db, op, '2026-10');
  await driveBillRun(handle, run.id);
  await approveBillRun(handle.db, op, run.id, 'test');
  await startIssue(handle.db, op, run.id);
  expect((await driveBillRun(handle, run.id)).status).toBe('issued');
});

afterAll(async () => {
  await handle?.close();
});

const octoberBill = async (accountId: number) =>
  (await sql<{ id: number; total_fen: number }>`select id, total_fen from bill where account_id = ${accountId} and period = '2026-10' and kind = 'regular'`.execute(handle.db)).rows[0]!;

describe('prepaid settlement at issue', () => {
  it('pays the bills of accounts that pay in advance from their prepaid balance, as far as it goes', async () => {
    for (const [i, a] of advance.entries()) {
      const bill = await octoberBill(a.id);
      const held = i === 0 ? 100 : ADVANCE;
      const settled = Math.min(held, bill.total_fen);
      const state = (await sql<{ principal_paid_fen: number; settled_on: string | null }>`select principal_paid_fen, settled_on from bill_settlement where account_id = ${a.id} and bill_id = ${bill.id}`.execute(handle.db)).rows[0];
      expect(state?.principal_paid_fen, `account ${a.id}`).toBe(settled);
      expect(state?.settled_on ?? null).toBe(settled === bill.total_fen ? '2026-11-05' : null);
      expect(0 - (await balanceOf(handle.db, a.id, 'prepaid'))).toBe(held - settled);
      // the statement shows it: the bill open only for what prepaid did not cover, the balance left
      const statement = await accountStatement(handle.db, a.id, '2026-11-06');
      expect(statement.arrearsFen).toBe(bill.total_fen - settled);
      expect(statement.prepaidFen).toBe(held - settled);
      const events = (await eventsAfter(handle.db, { after: 0, limit: 1000, scope: null, accountId: a.id })).filter((e) => e.refId === bill.id);
      expect(events.map((e) => [e.kind, e.receivableDeltaFen, e.prepaidDeltaFen])).toEqual([
        ['bill.issued', bill.total_fen, 0],
        ['prepaid.debited', -settled, -settled],
      ]);
      expect(events[1]!.prepaidFen).toBe(held - settled);
    }
  });

  it('leaves a postpaid account bill open beside its prepaid balance', async () => {
    const bill = await octoberBill(postpaid.id);
    const statement = await accountStatement(handle.db, postpaid.id, '2026-11-06');
    expect(statement.arrearsFen).toBe(bill.total_fen);
    expect(statement.prepaidFen).toBe(ADVANCE);
  });

  it('keeps the ledger invariants', async () => {
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});
