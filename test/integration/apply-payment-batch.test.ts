import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle, Db } from '../../src/db/connect.js';
import { kyselyOnClient } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { applyPaymentBatch, applyPayments, type ApplyOutcome, type PaymentIntake } from '../../src/modules/payments/index.js';
import { demoCountyWithIssuedBills } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The payments core's bulk entry point (bank files) against its general one: the same intakes give the same
 * outcomes and the same rows — payments, allocation lines, bill states, ledger transfers, entries and
 * balances — including penalties brought to charge (a penalty.assess transfer beside the payment), part
 * payments, several payments of one account in the batch, overpayment to prepaid, duplicates and conflicts.
 * And it gives up the same way when a channel transaction is inserted concurrently.
 */
const PERIOD = '2026-10';
const issuedOn = new Date('2026-11-15T12:00:00+08:00');
/** Long after the bills fell due, across a year end: penalties at 1‰, 2‰ and 3‰ a day. */
const lateDay = new Date('2027-02-10T12:00:00+08:00');

let handle: DatabaseHandle;
let bills: { account_id: number; total_fen: number; category: string }[];

beforeAll(async () => {
  handle = await createTestDatabase();
  await demoCountyWithIssuedBills(handle, { accounts: 80, seed: 11, period: PERIOD, issuedOn });
  // accounts whose October bill is their only open one, residential (1‰ a day) and not (2‰, 3‰ in the next year)
  const open = (residential: boolean) =>
    sql<{ account_id: number; total_fen: number; category: string }>`
      select b.account_id, b.total_fen, a.category from bill b join account a on a.id = b.account_id
       where b.period = ${PERIOD} and b.status = 'issued' and b.total_fen > 5000 and (a.category = 'residential') = ${residential}
         and not exists (select 1 from bill o where o.account_id = b.account_id and o.status = 'issued' and o.id <> b.id
                          and not exists (select 1 from bill_settlement s where s.account_id = o.account_id and s.bill_id = o.id and s.settled_on is not null))
       order by b.account_id limit 6`.execute(handle.db);
  const [res, other] = [(await open(true)).rows, (await open(false)).rows];
  expect(res.length).toBe(6);
  expect(other.length).toBeGreaterThanOrEqual(2);
  bills = [res[0]!, res[1]!, other[0]!, res[2]!, res[3]!, res[4]!, other[1]!, res[5]!];
  // applied before the batch: T-DUP and T-CONFLICT
  await handle.db.transaction().execute((trx) =>
    applyPayments(trx, [
      { accountId: bills[7]!.account_id, channel: 'bank', channelTxnId: 'T-DUP', amountFen: 700, paidAt: issuedOn },
      { accountId: bills[7]!.account_id, channel: 'bank', channelTxnId: 'T-CONFLICT', amountFen: 800, paidAt: issuedOn },
      // part of c's bill before the batch: the batch finds its bill state and its balances stored
      { accountId: bills[2]!.account_id, channel: 'bank', channelTxnId: 'T-EARLIER', amountFen: 100, paidAt: issuedOn },
    ]),
  );
});

afterAll(async () => {
  await handle?.close();
});

function intakes(): PaymentIntake[] {
  const [a, b, c, d, e, , g, h] = bills;
  const late = (accountId: number, txn: string, amountFen: number, paidAt = lateDay): PaymentIntake => ({ accountId, channel: 'bank', channelTxnId: txn, amountFen, paidAt, bankBatchId: null, operatorId: null });
  return [
    late(a!.account_id, 'T1', a!.total_fen * 2), // late: the penalty charged and paid, the bill settled, the rest prepaid
    late(b!.account_id, 'T2', Math.floor(b!.total_fen / 3)), // late, part: penalty first, then part of the principal
    late(b!.account_id, 'T3', b!.total_fen), // the same account again in the batch: the rest of it, the remainder prepaid
    late(c!.account_id, 'T4', 150, new Date('2026-11-20T12:00:00+08:00')), // non-residential, before the due date: no penalty, part paid
    late(d!.account_id, 'T5', d!.total_fen), // late, exactly the principal: the penalty takes its share first
    late(e!.account_id, 'T6', 99), // late and small: the penalty (at least the minimum) takes all of it
    late(g!.account_id, 'T7', g!.total_fen + 12345), // non-residential, late into the next year: 3‰ a day, the rest prepaid
    late(h!.account_id, 'T-DUP', 700), // applied before: duplicate
    late(h!.account_id, 'T-CONFLICT', 801), // applied before with another amount: conflict
    late(a!.account_id, 'T1', a!.total_fen * 2), // the batch's own T1 again: duplicate of the first
  ];
}

/** What a batch wrote, with payment and transfer ids replaced by the payments' channel transaction ids. */
async function writtenBy(db: Db, since: number) {
  const q = async <T>(text: ReturnType<typeof sql<T>>) => (await text.execute(db)).rows;
  return {
    payments: await q(sql`select account_id, channel_txn_id, amount_fen, principal_fen, penalty_fen, prepaid_fen, business_date::text, paid_at from payment where id > ${since} order by channel_txn_id`),
    allocations: await q(sql`select p.channel_txn_id, x.line_no, x.bill_id, x.penalty_fen, x.principal_fen, x.prepaid_fen from payment_allocation x join payment p on p.account_id = x.account_id and p.id = x.payment_id where p.id > ${since} order by 1, 2`),
    settlements: await q(sql`select account_id, bill_id, principal_paid_fen, penalty_accrued_mfen, penalty_through::text, penalty_charged_fen, penalty_paid_fen, penalty_waived_fen, settled_on::text from bill_settlement order by 1, 2`),
    transfers: await q(sql<{ kind: string }>`
      select p.channel_txn_id, t.kind, t.ref_type, t.business_date::text,
             (select json_agg(json_build_array(e.book, e.amount_fen) order by e.book) from ledger_entry e where e.account_id = t.account_id and e.transfer_id = t.id) as entries
        from ledger_transfer t join payment p on p.account_id = t.account_id and p.id = t.ref_id
       where t.ref_type = 'payment' and p.id > ${since} order by 1, 2`),
    balances: await q(sql`select account_id, book, balance_fen from ledger_balance order by 1, 2`),
  };
}

/** Outcomes with each payment id replaced by its channel transaction id (the two runs draw different ids). */
function withoutIds(outcomes: ApplyOutcome[], ids: Map<number, string>) {
  return outcomes.map((o) => ({ ...o, paymentId: ids.get(o.paymentId) }));
}

async function paymentTxns(db: Db): Promise<Map<number, string>> {
  const rows = (await sql<{ id: number; channel_txn_id: string }>`select id, channel_txn_id from payment`.execute(db)).rows;
  return new Map(rows.map((r) => [r.id, r.channel_txn_id]));
}

/** Runs a batch in a transaction that is rolled back afterwards; returns what it answered and wrote. */
async function dryRun(apply: 'applyPayments' | 'applyPaymentBatch') {
  const since = (await sql<{ m: number }>`select coalesce(max(id), 0)::int as m from payment`.execute(handle.db)).rows[0]!.m;
  const client = await handle.pool.connect();
  const db = kyselyOnClient(client);
  try {
    await client.query('begin');
    const outcomes = apply === 'applyPayments' ? await applyPayments(db, intakes()) : await applyPaymentBatch(client, intakes());
    const written = await writtenBy(db, since);
    const ids = await paymentTxns(db);
    const ledger = await checkLedger(db);
    return { outcomes: withoutIds(outcomes, ids), written, ledger: ledger.violations };
  } finally {
    await client.query('rollback');
    client.release();
  }
}

describe('applyPaymentBatch', () => {
  it('answers and writes what applyPayments does, penalties included', async () => {
    const general = await dryRun('applyPayments');
    const bulk = await dryRun('applyPaymentBatch');
    expect(general.ledger).toEqual([]);
    expect(bulk.ledger).toEqual([]);
    expect(general.outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'duplicate', 'conflict', 'duplicate']);
    // the batch did bring penalties to charge, and the bulk path posted them as their own transfers
    expect(general.written.transfers.filter((t) => t.kind === 'penalty.assess').length).toBeGreaterThanOrEqual(4);
    expect(bulk.outcomes).toEqual(general.outcomes);
    expect(bulk.written).toEqual(general.written);
  });

  it('updates the bill states and balances stored before the batch and inserts the new ones', async () => {
    const [a, , c] = bills;
    const bulk = await dryRun('applyPaymentBatch');
    const state = (accountId: number) => bulk.written.settlements.filter((s) => (s as { account_id: number }).account_id === accountId);
    const balance = (accountId: number, book: string) => bulk.written.balances.find((b) => (b as { account_id: number }).account_id === accountId && (b as { book: string }).book === book);
    // c: paid 100 before, 150 in the batch (before the due date, no penalty): its stored state updated, not duplicated
    expect(state(c!.account_id)).toMatchObject([{ principal_paid_fen: 250, settled_on: null }]);
    expect(balance(c!.account_id, 'clearing.bank')).toMatchObject({ balance_fen: 250 });
    expect(balance(c!.account_id, 'receivable')).toMatchObject({ balance_fen: c!.total_fen - 250 });
    // a: its first state, its first clearing and prepaid balances; the receivable balance of the bill's issue
    expect(state(a!.account_id)).toMatchObject([{ principal_paid_fen: a!.total_fen, settled_on: '2027-02-10' }]);
    expect(balance(a!.account_id, 'receivable')).toMatchObject({ balance_fen: 0 });
    expect(balance(a!.account_id, 'clearing.bank')).toMatchObject({ balance_fen: a!.total_fen * 2 });
    expect(bulk.ledger).toEqual([]);
  });

  it('gives up (CONFLICT) when another transaction applies one of its channel transactions first', async () => {
    const [a, b] = bills;
    const other = await handle.pool.connect();
    const mine = await handle.pool.connect();
    try {
      await other.query('begin');
      await applyPayments(kyselyOnClient(other), [{ accountId: b!.account_id, channel: 'bank', channelTxnId: 'T-RACE', amountFen: 100, paidAt: issuedOn }]);
      await mine.query('begin');
      // our read cannot see the other's uncommitted payment; our COPY waits for it on the unique index
      const racing = applyPaymentBatch(mine, [{ accountId: a!.account_id, channel: 'bank', channelTxnId: 'T-RACE', amountFen: 100, paidAt: issuedOn }]);
      racing.catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
      await other.query('commit');
      await expect(racing).rejects.toMatchObject({ code: 'CONFLICT' });
      await mine.query('rollback');
    } finally {
      other.release();
      mine.release();
    }
    const race = (await sql<{ account_id: number }>`select account_id from payment where channel_txn_id = 'T-RACE'`.execute(handle.db)).rows;
    expect(race).toEqual([{ account_id: b!.account_id }]);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('refuses an unknown account (NOT_FOUND), writing nothing', async () => {
    const client = await handle.pool.connect();
    try {
      await client.query('begin');
      await expect(applyPaymentBatch(client, [{ accountId: 987654321, channel: 'bank', channelTxnId: 'T-NONE', amountFen: 100, paidAt: issuedOn }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
