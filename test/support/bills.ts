import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';
import { billTransfer, postTransfer } from '../../src/modules/ledger/index.js';

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
