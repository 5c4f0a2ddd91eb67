import { sql } from 'kysely';
import type { DatabaseHandle, Db } from '../../src/db/connect.js';
import { approveBillRun, startBillRun, startIssue, systemOperator as billingOperator } from '../../src/modules/billing/index.js';
import { driveBillRun } from '../../src/workflows/issue-bills.js';
import { billTransfer, postTransfer } from '../../src/modules/ledger/index.js';
import { createDemoCounty } from '../../src/modules/simulator/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';

/**
 * An issued bill with one energy line, posted to the ledger as the bill run's issue posts it
 * (receivable debited, revenue credited) — for payment tests that need exact amounts and due dates.
 */
export async function issueTestBill(db: Db, b: { accountId: number; period: string; totalFen: number; dueOn: string; issuedOn?: string }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const issuedAt = `${b.issuedOn ?? b.dueOn}T09:00:00+08:00`;
    const { id } = await trx
      .insertInto('bill')
      .values({ account_id: b.accountId, period: b.period, kind: 'regular', status: 'issued', tariff_code: 'gansu.residential.tiered', total_fen: b.totalFen, issued_at: issuedAt, due_on: b.dueOn })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`insert into bill_line (account_id, bill_id, line_no, code, quantity, unit_price, amount_fen) values (${b.accountId}, ${id}, 1, 'energy', 1, 1, ${b.totalFen})`.execute(trx);
    const t = billTransfer({ accountId: b.accountId, billId: id, kind: 'regular', totalFen: b.totalFen, lines: [{ code: 'energy', amountFen: b.totalFen }] }, issuedAt.slice(0, 10));
    if (t) await postTransfer(trx, t);
    return id;
  });
}

/**
 * A demo county of `accounts` accounts whose bills of `period` went through the bill run and were issued on
 * `issuedOn` (tariff defaults seeded). Returns the company's id.
 */
export async function demoCountyWithIssuedBills(handle: DatabaseHandle, c: { accounts: number; seed: number; period: string; issuedOn: Date }): Promise<number> {
  await createDemoCounty(handle, { accounts: c.accounts, seed: c.seed, asOf: new Date('2026-11-15T00:00:00Z') });
  await seedTariffDefaults(handle.db);
  const companyId = (await sql<{ id: number }>`select id from org_unit where kind = 'company'`.execute(handle.db)).rows[0]!.id;
  const op = billingOperator(companyId, c.issuedOn, 'test');
  const { run } = await startBillRun(handle.db, op, c.period);
  await driveBillRun(handle, run.id);
  await approveBillRun(handle.db, op, run.id, 'test');
  await startIssue(handle.db, op, run.id);
  const issued = await driveBillRun(handle, run.id);
  if (issued.status !== 'issued') throw new Error(`the test bill run ended ${issued.status}, not issued`);
  return companyId;
}
