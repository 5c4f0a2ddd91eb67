import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { approveBillRun, dueDate, startBillRun, startIssue, systemOperator, type BillRunRow } from '../../src/modules/billing/index.js';
import { driveBillRun, billRunner } from '../../src/workflows/issue-bills.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { createDemoCounty } from '../../src/modules/simulator/index.js';
import { compileAgentPrices, compileCatalogue, GANSU_AGENT_PRICE_TABLES, GANSU_TARIFF_VERSIONS, rate, seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { AppError } from '../../src/shared/errors.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The monthly bill run on a small demo county: one bill per billable account with the engine's totals,
 * exceptions for a register going backwards and a missing read, idempotent re-runs, approval and issue
 * posting balanced transfers (ledger check I1, I2, I4, I5).
 */
const PERIOD = '2026-10';
const asOf = new Date('2026-11-15T12:00:00+08:00');

let handle: DatabaseHandle;
let companyId: number;
let run: BillRunRow;
const special = { missing: 0, backwards: 0 };

async function rows<T>(q: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await q.execute(handle.db)).rows;
}
const one = async <T>(q: ReturnType<typeof sql<T>>): Promise<T> => (await rows(q))[0]!;

async function tableCounts() {
  return one(sql<{ bills: number; lines: number; exceptions: number; reads: number; transfers: number; entries: number; balances: number }>`
    select (select count(*) from bill)::int as bills, (select count(*) from bill_line)::int as lines,
           (select count(*) from bill_exception)::int as exceptions, (select count(*) from cycle_read)::int as reads,
           (select count(*) from ledger_transfer)::int as transfers, (select count(*) from ledger_entry)::int as entries,
           (select count(*) from ledger_balance)::int as balances`);
}

beforeAll(async () => {
  handle = await createTestDatabase();
  await createDemoCounty(handle, { accounts: 300, seed: 3, asOf: new Date('2026-11-15T00:00:00Z') });
  await seedTariffDefaults(handle.db);
  companyId = (await one(sql<{ id: number }>`select id from org_unit where kind = 'company'`)).id;
  // Two households with bad reads: one whose October read never came, one whose register went backwards.
  const households = await rows(sql<{ id: number }>`select id from account where tariff_code = 'gansu.residential.tiered' order by id limit 2`);
  special.missing = households[0]!.id;
  special.backwards = households[1]!.id;
  await sql`delete from cycle_read where account_id = ${special.missing} and period = ${PERIOD}`.execute(handle.db);
  await sql`update cycle_read c set total = p.total - 12.5
              from cycle_read p where c.account_id = ${special.backwards} and c.period = ${PERIOD} and p.account_id = c.account_id and p.meter_id = c.meter_id and p.period = '2026-09'`.execute(handle.db);

  const op = systemOperator(companyId, asOf, 'test');
  const started = await startBillRun(handle.db, op, PERIOD);
  expect(started.created).toBe(true);
  run = await driveBillRun(handle, started.run.id, { batchSize: 37 }); // odd size: batches split stations and areas
});

afterAll(async () => {
  await handle?.close();
});

describe('rating', () => {
  it('rates every billable account and stops for review', async () => {
    expect(run.status).toBe('review');
    expect(run.accounts_total).toBe(300);
    expect(run.accounts_done).toBe(300);
    const counts = await tableCounts();
    expect(counts.bills).toBe(run.bills);
    expect(counts.lines).toBe(run.lines);
    expect(run.bills).toBe(300 - run.blocking_exceptions);
    expect(run.blocking_exceptions).toBeGreaterThanOrEqual(1);
    const billed = await one(sql<{ n: number; total: string }>`select count(distinct account_id)::int as n, sum(total_fen)::text as total from bill`);
    expect(billed.n).toBe(run.bills);
    expect(Number(billed.total)).toBe(run.total_fen);
  });

  it('gives each bill the engine’s total for the usage in its reads (register difference × multiplier)', async () => {
    const catalogue = compileCatalogue(GANSU_TARIFF_VERSIONS);
    const prices = compileAgentPrices(GANSU_AGENT_PRICE_TABLES);
    // Usage computed independently, in SQL numeric, from the two reads of each meter.
    const inputs = await rows(sql<{
      id: number; tariff_code: string; category: string; voltage_level: string; agent_multiplier: string; pf_standard: string | null; capacity_kva: string | null;
      contract_demand_kw: string | null; basic_charge_basis: string | null; kwh: string; peak: string | null; flat: string | null; valley: string | null;
      kvarh: string | null; demand: string | null; total_fen: number; estimated: boolean;
    }>`
      select a.id, a.tariff_code, a.category, a.voltage_level, a.agent_multiplier::text, a.pf_standard::text, a.capacity_kva::text, a.contract_demand_kw::text, a.basic_charge_basis,
             ((c.total - p.total) * m.multiplier)::numeric(16,2)::text as kwh, ((c.peak - p.peak) * m.multiplier)::numeric(16,2)::text as peak,
             ((c.flat - p.flat) * m.multiplier)::numeric(16,2)::text as flat, ((c.valley - p.valley) * m.multiplier)::numeric(16,2)::text as valley,
             ((c.reactive - p.reactive) * m.multiplier)::numeric(16,2)::text as kvarh, (c.max_demand * m.multiplier)::numeric(16,2)::text as demand,
             b.total_fen, b.estimated
        from bill b join account a on a.id = b.account_id join meter m on m.account_id = a.id
        join cycle_read c on c.meter_id = m.id and c.account_id = a.id and c.period = ${PERIOD}
        join cycle_read p on p.meter_id = m.id and p.account_id = a.id and p.period = '2026-09'
       order by a.id`);
    expect(inputs.length).toBe(run.bills); // the estimated read is stored too, so every bill has its two reads
    const mismatches: string[] = [];
    for (const i of inputs) {
      const tariff = catalogue.at(i.tariff_code, PERIOD)!;
      const usage = tariff.tou ? { kwhByPeriod: { peak: i.peak!, flat: i.flat!, valley: i.valley! } } : { kwh: i.kwh };
      const expected = rate({
        tariff,
        agentPrices: prices,
        period: PERIOD,
        account: { category: i.category, voltageLevel: i.voltage_level, agentMultiplier: i.agent_multiplier, pfStandard: i.pf_standard, capacityKva: i.capacity_kva, contractDemandKw: i.contract_demand_kw, basicChargeBasis: i.basic_charge_basis },
        usage: { ...usage, ...(i.kvarh !== null && { kvarh: i.kvarh }), ...(i.demand !== null && { maxDemandKw: i.demand }) },
      });
      if (expected.totalFen !== i.total_fen) mismatches.push(`account ${i.id}: bill ${i.total_fen}, engine ${expected.totalFen}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('keeps every bill total equal to the sum of its lines', async () => {
    expect(await rows(sql`select b.id from bill b left join bill_line l on l.account_id = b.account_id and l.bill_id = b.id group by b.account_id, b.id having b.total_fen <> coalesce(sum(l.amount_fen), 0)`)).toEqual([]);
  });

  it('blocks the register that went backwards, with an exception and no bill', async () => {
    expect(await rows(sql`select 1 from bill where account_id = ${special.backwards}`)).toEqual([]);
    const e = await rows(sql<{ kind: string; blocking: boolean; detail: { register: string } }>`select kind, blocking, detail from bill_exception where account_id = ${special.backwards}`);
    expect(e).toEqual([{ kind: 'register_backwards', blocking: true, detail: expect.objectContaining({ register: 'total' }) }]);
  });

  it('estimates the missing read from the last three months, flags the bill and stores the estimated read', async () => {
    const bill = await one(sql<{ id: number; kwh: string; estimated: boolean }>`select id, kwh::text, estimated from bill where account_id = ${special.missing}`);
    expect(bill.estimated).toBe(true);
    const e = await rows(sql<{ kind: string; blocking: boolean; bill_id: number }>`select kind, blocking, bill_id from bill_exception where account_id = ${special.missing}`);
    expect(e).toEqual([{ kind: 'estimated_usage', blocking: false, bill_id: bill.id }]);
    const reads = await rows(sql<{ period: string; total: string }>`select period, total::text from cycle_read where account_id = ${special.missing} and period in ('2026-06', '2026-09', '2026-10') order by period`);
    const [june, sept, oct] = reads.map((r) => Number(r.total));
    expect(reads.map((r) => r.period)).toEqual(['2026-06', '2026-09', '2026-10']);
    expect(oct! - sept!).toBeCloseTo((sept! - june!) / 3, 1);
    expect(Number(bill.kwh)).toBeCloseTo(oct! - sept!, 2);
    expect(await one(sql<{ source: string; estimated: boolean }>`select source, estimated from cycle_read where account_id = ${special.missing} and period = ${PERIOD}`)).toEqual({ source: 'estimate', estimated: true });
  });

  it('reports the estimated reads of the demo and the outliers for review, each with its bill', async () => {
    const kinds = await rows(sql<{ kind: string; blocking: boolean; with_bill: number; n: number }>`
      select kind, blocking, count(bill_id)::int as with_bill, count(*)::int as n from bill_exception group by kind, blocking order by kind`);
    for (const k of kinds) expect(k.with_bill, k.kind).toBe(k.blocking ? 0 : k.n);
    expect(await one(sql<{ n: number }>`select count(*)::int as n from bill where outlier`)).toEqual({ n: kinds.filter((k) => k.kind.startsWith('usage_')).reduce((s, k) => s + k.n, 0) });
  });

  it('cannot be issued before it is approved', async () => {
    await expect(startIssue(handle.db, systemOperator(companyId, asOf), run.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('running the period again', () => {
  it('adds no row', async () => {
    const before = await tableCounts();
    const again = await startBillRun(handle.db, systemOperator(companyId, asOf), PERIOD);
    expect(again).toMatchObject({ created: false, run: { id: run.id, status: 'review' } });
    const driven = await driveBillRun(handle, run.id);
    expect(driven.status).toBe('review');
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses a period whose reads are not taken yet, and one without published prices', async () => {
    const op = systemOperator(companyId, asOf);
    await expect(startBillRun(handle.db, op, '2026-11')).rejects.toThrow(/taken on 2026-12-01/);
    await expect(startBillRun(handle.db, systemOperator(companyId, new Date('2027-03-02T12:00:00+08:00')), '2027-02')).rejects.toThrow(/agent-purchase price table for 2027-02 is not published/);
    await expect(startBillRun(handle.db, op, '2026-13')).rejects.toBeInstanceOf(AppError);
  });
});

describe('approval and issue', () => {
  let issued: BillRunRow;
  beforeAll(async () => {
    const op = systemOperator(companyId, asOf, 'test');
    const approved = await approveBillRun(handle.db, op, run.id, 'checked');
    expect(approved.status).toBe('approved');
    await startIssue(handle.db, op, run.id);
    issued = await driveBillRun(handle, run.id, { issueBatchSize: 41 });
  });

  it('issues every bill with its due date and posts it once', async () => {
    expect(issued).toMatchObject({ status: 'issued', issued_bills: run.bills, issued_fen: run.total_fen, issue_date: '2026-11-15' });
    expect(await one(sql<{ n: number }>`select count(*)::int as n from bill where status <> 'issued'`)).toEqual({ n: 0 });
    const due = await rows(sql<{ due_day: number | null; due_on: string; n: number }>`select due_day, due_on, count(*)::int as n from bill group by 1, 2`);
    for (const d of due) expect(d.due_on).toBe(dueDate('2026-11-15', d.due_day));
    expect(due.find((d) => d.due_day === null)?.due_on).toBe('2026-11-30');
    const posted = await rows(sql<{ id: number; total_fen: number; receivable: string | null; transfers: number }>`
      select b.id, b.total_fen, sum(e.amount_fen) filter (where e.book = 'receivable')::text as receivable, count(distinct t.id)::int as transfers
        from bill b left join ledger_transfer t on t.account_id = b.account_id and t.ref_type = 'bill' and t.ref_id = b.id
        left join ledger_entry e on e.account_id = t.account_id and e.transfer_id = t.id
       group by b.id, b.total_fen`);
    expect(posted.filter((p) => (p.total_fen === 0 ? p.transfers !== 0 : p.transfers !== 1 || Number(p.receivable) !== p.total_fen))).toEqual([]);
  });

  it('leaves a sound ledger: I1, I2, I4, I5', async () => {
    const report = await checkLedger(handle.db);
    expect(report.violations).toEqual([]);
    expect(report.receivableFen).toBe(run.total_fen);
    const books = await rows(sql<{ book: string; fen: string }>`select book, sum(balance_fen)::text as fen from ledger_balance group by book order by book`);
    expect(books.reduce((s, b) => s + Number(b.fen), 0)).toBe(0);
    expect(books.map((b) => b.book)).toEqual(expect.arrayContaining(['receivable', 'revenue.energy', 'revenue.basic', 'revenue.pf', 'payable.funds']));
  });

  it('never changes an issued bill nor a ledger row', async () => {
    await expect(sql`update bill set total_fen = total_fen + 1 where id = (select min(id) from bill)`.execute(handle.db)).rejects.toThrow(/issued/);
    await expect(sql`delete from bill_line`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`update ledger_entry set amount_fen = amount_fen`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_transfer`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate ledger_entry`.execute(handle.db)).rejects.toThrow(/append-only/);
  });

  it('refuses an unbalanced transfer in the database itself', async () => {
    await expect(
      sql`with t as (insert into ledger_transfer (account_id, kind, ref_type, ref_id, business_date) values (1, 'test', 'test', 1, '2026-11-15') returning id)
          insert into ledger_entry (account_id, transfer_id, book, amount_fen) select 1, id, b, a from t, (values ('receivable', 100), ('revenue.energy', -99)) v(b, a)`.execute(handle.db),
    ).rejects.toThrow(/does not balance/);
  });

  it('issues nothing twice when asked again', async () => {
    const before = await tableCounts();
    const op = systemOperator(companyId, asOf);
    await expect(startIssue(handle.db, op, run.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await startBillRun(handle.db, op, PERIOD)).run.status).toBe('issued');
    expect(await tableCounts()).toEqual(before);
    expect((await checkLedger(handle.db)).ok).toBe(true);
  });

  it('wrote the audit trail of the run', async () => {
    const actions = await rows(sql<{ action: string }>`select action from audit_log where entity = 'bill_run' order by id`);
    expect(actions.map((a) => a.action)).toEqual(['bill_run.start', 'bill_run.approve', 'bill_run.issue', 'bill_run.issued']);
  });
});

describe('the background runner', () => {
  let small: DatabaseHandle;
  beforeAll(async () => {
    small = await createTestDatabase();
    await createDemoCounty(small, { accounts: 120, seed: 5, asOf: new Date('2026-11-15T00:00:00Z') });
    await seedTariffDefaults(small.db);
  });
  afterAll(async () => {
    await small?.close();
  });

  it('resumes a run left half rated (a stopped or crashed server) and takes it to review', async () => {
    const company = (await sql<{ id: number }>`select id from org_unit where kind = 'company'`.execute(small.db)).rows[0]!.id;
    const { run: started } = await startBillRun(small.db, systemOperator(company, asOf), PERIOD);
    const stop = new AbortController();
    const half = await driveBillRun(small, started.id, { batchSize: 10, signal: stop.signal, onProgress: (r) => r.accounts_done >= 30 && stop.abort() });
    expect(half.status).toBe('rating');
    expect(half.accounts_done).toBeLessThan(120);

    const runner = billRunner(small, { batchSize: 10 });
    expect(await runner.resumeUnfinished()).toBe(1);
    runner.kick(started.id); // a second kick while it runs is a no-op
    await runner.idle();
    const done = (await sql<{ status: string; accounts_done: number; bills: number; blocking_exceptions: number }>`select status, accounts_done, bills, blocking_exceptions from bill_run`.execute(small.db)).rows[0]!;
    expect(done).toMatchObject({ status: 'review', accounts_done: 120 });
    expect(done.bills + done.blocking_exceptions).toBe(120);
    expect((await sql<{ n: number }>`select count(*)::int as n from bill`.execute(small.db)).rows[0]!.n).toBe(done.bills);
    await runner.close();
  });
});
