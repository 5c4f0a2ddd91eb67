import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { createDemoCounty, DEMO_PASSWORD } from '../../src/modules/simulator/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { replayDemoHistory, type HistoryProgress, type HistoryResult } from '../../src/workflows/replay-demo-history.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let first: HistoryResult;
const progress: HistoryProgress[] = [];
const asOf = new Date('2026-11-15T04:00:00Z');
const ACCOUNTS = 250;

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedTariffDefaults(handle.db);
  await createDemoCounty(handle, { accounts: ACCOUNTS, seed: 11, asOf });
  first = await replayDemoHistory(handle, { asOf, onProgress: (p) => progress.push(p) });
}, 300_000);
afterAll(async () => handle?.close());

const count = async (sql: string) => Number((await handle.pool.query<{ n: string }>(sql)).rows[0]!.n);

/** Each issued bill of an account that pays in advance, with the prepaid balance it met at its issue and what that issue settled from it. */
const AT_ISSUE = `
  select b.account_id, b.id, b.period, b.total_fen, b.issued_at, e.prepaid_at_issue, e.settled_fen
    from bill b
    join account a on a.id = b.account_id and a.payment_mode <> 'postpaid'
    join (select account_id, ref_id as bill_id,
                 max(prepaid_fen) filter (where kind = 'bill.issued') as prepaid_at_issue,
                 coalesce(-sum(prepaid_delta_fen) filter (where kind = 'prepaid.debited'), 0) as settled_fen
            from account_event where ref_type = 'bill' group by account_id, ref_id) e on e.account_id = b.account_id and e.bill_id = b.id
   where b.status = 'issued' and b.total_fen > 0 and e.prepaid_at_issue is not null`;

describe('replaying the demo history month by month', () => {
  it('issues the 24 months before asOf through the bill run, each on the 5th of the next month, with the payments between', async () => {
    expect(first.alreadyDone).toBe(false);
    expect(first.billed).toBe(24);
    expect(first.conflicts).toBe(0);
    expect(first.periods[0]).toBe('2024-11');
    expect(first.periods.at(-1)).toBe('2026-10');
    const runs = (await handle.pool.query<{ period: string; status: string; issue_date: string }>('select period, status, issue_date::text from bill_run order by period')).rows;
    expect(runs).toHaveLength(24);
    expect(runs.every((r) => r.status === 'issued')).toBe(true);
    expect(runs[0]!.issue_date).toBe('2024-12-05');
    expect(await count(`select count(distinct account_id) as n from bill where period = '2026-10'`)).toBeGreaterThan(240);
    // each month reported once done, in order, and the progress reaches the end
    expect(progress.filter((p) => p.period).map((p) => p.period)).toEqual(first.periods);
    expect(progress.at(-1)).toMatchObject({ done: ACCOUNTS * 24, total: ACCOUNTS * 24 });
    // the payments of a month fall between its issue and the next month's: applied in that order (commit order = payment ids)
    expect(
      await count(`select count(*) as n from payment p join bill_run r on r.issue_started_at > p.paid_at
                    join ledger_transfer t on t.kind = 'bill.issue' and t.business_date = r.issue_date and t.id < (select min(id) from ledger_transfer x where x.account_id = p.account_id and x.ref_type = 'payment' and x.ref_id = p.id)
                   where t.account_id = p.account_id`),
    ).toBe(0);
  });

  it('settles smart-prepaid bills from the prepaid balance at issue, and the statement shows it', async () => {
    const settled = await count(`select count(*) as n from (${AT_ISSUE}) x join account a on a.id = x.account_id where a.payment_mode = 'smart_prepaid' and x.settled_fen > 0`);
    const whole = await count(`select count(*) as n from (${AT_ISSUE}) x join account a on a.id = x.account_id where a.payment_mode = 'smart_prepaid' and x.settled_fen = x.total_fen`);
    const bills = await count(`select count(*) as n from (${AT_ISSUE}) x join account a on a.id = x.account_id where a.payment_mode = 'smart_prepaid'`);
    expect(settled).toBeGreaterThan(bills / 2);
    expect(whole).toBeGreaterThan(bills / 2);
    // posted as prepaid.settle transfers (prepaid debited, receivable credited), one per settled bill
    expect(await count(`select count(*) as n from ledger_transfer where kind = 'prepaid.settle' and ref_type = 'bill'`)).toBe(await count(`select count(*) as n from (${AT_ISSUE}) x where x.settled_fen > 0`));
    // a bill settled whole at issue: settled on its issue date, with no payment allocated to it
    const { rows } = await handle.pool.query<{ account_id: string; id: string; total_fen: string; issue_date: string }>(
      `select x.account_id, x.id, x.total_fen, (x.issued_at at time zone 'Asia/Shanghai')::date::text as issue_date
         from (${AT_ISSUE}) x join account a on a.id = x.account_id
        where a.payment_mode = 'smart_prepaid' and x.settled_fen = x.total_fen
          and not exists (select 1 from payment_allocation pa where pa.account_id = x.account_id and pa.bill_id = x.id)
        order by x.period desc, x.account_id limit 1`,
    );
    const bill = rows[0]!;
    const t: TestApp = await buildTestApp(handle, { clock: new FixedClock(asOf) });
    try {
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: DEMO_PASSWORD } });
      const headers = { authorization: `Bearer ${login.json().token as string}` };
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/accounts/${bill.account_id}/statement`, headers });
      expect(res.statusCode, res.body).toBe(200);
      const statement = res.json() as { prepaidFen: number; openBills: { billId: number }[]; settlements: { billId: number; principalPaidFen: number; settledOn: string | null }[] };
      expect(statement.settlements).toContainEqual(expect.objectContaining({ billId: Number(bill.id), principalPaidFen: Number(bill.total_fen), settledOn: bill.issue_date }));
      expect(statement.openBills.map((b) => b.billId)).not.toContain(Number(bill.id));
      expect(statement.prepaidFen).toBe(-(await count(`select coalesce(sum(balance_fen), 0) as n from ledger_balance where account_id = ${bill.account_id} and book = 'prepaid'`)));
      // and its account events: the bill issued, then prepaid debited by it
      const events = await t.app.inject({ method: 'GET', url: `/api/v1/events?accountId=${bill.account_id}&limit=500`, headers });
      expect(events.statusCode, events.body).toBe(200);
      const items = (events.json() as { items: { kind: string; refType: string; refId: number; prepaidDeltaFen: number }[] }).items.filter((e) => e.refType === 'bill' && e.refId === Number(bill.id));
      expect(items.map((e) => [e.kind, e.prepaidDeltaFen])).toEqual([
        ['bill.issued', 0],
        ['prepaid.debited', -Number(bill.total_fen)],
      ]);
    } finally {
      await t.app.close();
    }
  }, 60_000);

  it('never leaves an issue’s bill open while the prepaid balance could pay it: each issue takes min(balance, bill)', async () => {
    expect(await count(`select count(*) as n from (${AT_ISSUE}) x where x.settled_fen <> least(greatest(x.prepaid_at_issue, 0), x.total_fen)`)).toBe(0);
    // an account that pays in advance and holds credit has nothing open, after every issue and at the end
    expect(
      await count(`select count(*) as n from (${AT_ISSUE}) x left join bill_settlement s on s.account_id = x.account_id and s.bill_id = x.id
                    where x.prepaid_at_issue > x.total_fen and coalesce(s.principal_paid_fen, 0) < x.total_fen and s.settled_on is distinct from (x.issued_at at time zone 'Asia/Shanghai')::date`),
    ).toBe(0);
    expect(
      await count(`select count(*) as n from ledger_balance l join account a on a.id = l.account_id and a.payment_mode <> 'postpaid'
                    where l.book = 'prepaid' and l.balance_fen < 0
                      and exists (select 1 from bill b left join bill_settlement s on s.account_id = b.account_id and s.bill_id = b.id
                                   where b.account_id = l.account_id and b.status = 'issued' and b.total_fen > coalesce(s.principal_paid_fen, 0))`),
    ).toBe(0);
  });

  it('leaves a county that looks real: prepaid households in credit, some overdue ones, arrears', async () => {
    const households = await count(`select count(*) as n from account where payment_mode = 'smart_prepaid' and category = 'residential'`);
    const inCredit = await count(`select count(*) as n from account a join ledger_balance l on l.account_id = a.id and l.book = 'prepaid' and l.balance_fen < 0 where a.payment_mode = 'smart_prepaid' and a.category = 'residential'`);
    const overdue = await count(`select count(distinct b.account_id) as n from bill b join account a on a.id = b.account_id left join bill_settlement s on s.account_id = b.account_id and s.bill_id = b.id
                                  where a.payment_mode = 'smart_prepaid' and a.category = 'residential' and b.status = 'issued' and b.due_on < '2026-11-15' and b.total_fen > coalesce(s.principal_paid_fen, 0)`);
    expect(inCredit / households).toBeGreaterThan(0.6);
    expect(overdue).toBeGreaterThan(0);
    expect(overdue / households).toBeLessThan(0.15);
    expect(await count(`select coalesce(sum(balance_fen), 0) as n from ledger_balance where book = 'receivable'`)).toBeGreaterThan(0);
  });

  it('passes the ledger check: receivable is what was billed less what payments and prepaid settled', async () => {
    expect((await checkLedger(handle.db)).violations).toEqual([]);
    const receivable = await count(`select coalesce(sum(balance_fen), 0) as n from ledger_balance where book = 'receivable'`);
    const billed = await count(`select coalesce(sum(total_fen), 0) as n from bill where status = 'issued'`);
    const paid = await count(`select coalesce(sum(principal_fen), 0) as n from payment`);
    const fromPrepaid = await count(`select coalesce(sum(amount_fen), 0) as n from ledger_entry e join ledger_transfer t on t.account_id = e.account_id and t.id = e.transfer_id where t.kind = 'prepaid.settle' and e.book = 'prepaid'`);
    expect(fromPrepaid).toBeGreaterThan(0);
    expect(receivable).toBe(billed - paid - fromPrepaid);
  });

  it('adds nothing when run again', async () => {
    const tallies = async () => ({
      bills: await count('select count(*) as n from bill'),
      payments: await count('select count(*) as n from payment'),
      transfers: await count('select count(*) as n from ledger_transfer'),
      events: await count('select count(*) as n from account_event'),
      settlements: await count('select count(*) as n from bill_settlement'),
    });
    const before = await tallies();
    const again = await replayDemoHistory(handle, { asOf });
    expect(again.alreadyDone).toBe(true);
    expect(again.payments).toBe(0);
    expect(await tallies()).toEqual(before);
  }, 60_000);
});
