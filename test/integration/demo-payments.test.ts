import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { createDemoCounty } from '../../src/modules/simulator/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { replayDemoHistory, type HistoryProgress, type HistoryResult } from '../../src/workflows/replay-demo-history.js';
import { createTestDatabase } from '../support/db.js';

const asOf = new Date('2026-11-15T04:00:00Z');
const ACCOUNTS = 400;
const SEED = 11;

async function county(): Promise<DatabaseHandle> {
  const handle = await createTestDatabase();
  await seedTariffDefaults(handle.db);
  await createDemoCounty(handle, { accounts: ACCOUNTS, seed: SEED, asOf });
  return handle;
}

let handle: DatabaseHandle;
let first: HistoryResult;
const progress: HistoryProgress[] = [];

beforeAll(async () => {
  handle = await county();
  first = await replayDemoHistory(handle, { asOf, onProgress: (p) => progress.push(p) });
}, 300_000);
afterAll(async () => handle?.close());

const count = async (db: DatabaseHandle, sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);
const n = (sql: string) => count(handle, sql);

/** Everything a replay writes, counted. */
const tallies = async () => ({
  payments: await n('select count(*) as n from payment'),
  allocations: await n('select count(*) as n from payment_allocation'),
  settlements: await n('select count(*) as n from bill_settlement'),
  orders: await n('select count(*) as n from payment_order'),
  transfers: await n('select count(*) as n from ledger_transfer'),
  entries: await n('select count(*) as n from ledger_entry'),
});

const FINGERPRINT = `select md5((select string_agg(concat_ws('|', channel, channel_txn_id, account_id, amount_fen, paid_at, principal_fen, penalty_fen, prepaid_fen, operator_id), ',' order by channel, channel_txn_id) from payment)
  || (select coalesce(string_agg(concat_ws('|', out_trade_no, account_id, amount_fen, created_at, paid_at, channel_txn_id), ',' order by out_trade_no), '') from payment_order)
  || (select string_agg(concat_ws('|', s.account_id, b.period, s.principal_paid_fen, s.penalty_charged_fen, s.penalty_paid_fen, s.settled_on), ',' order by s.account_id, b.period) from bill_settlement s join bill b on b.account_id = s.account_id and b.id = s.bill_id)) as n`;

describe('replaying the demo payment history (month by month, between the issues)', () => {
  it('applies each account’s payments through the payments core, and the ledger holds', async () => {
    expect(first.alreadyDone).toBe(false);
    expect(first.conflicts).toBe(0);
    expect(first.payments).toBeGreaterThan(ACCOUNTS * 15);
    expect(first.months[0]).toBe('2024-12');
    expect(first.months.at(-1)).toBe('2026-11');
    expect(progress.at(-1)).toMatchObject({ done: ACCOUNTS * 24, total: ACCOUNTS * 24 });
    expect(progress.reduce((s, p) => s + (p.payments ?? 0), 0)).toBe(first.payments);
    expect(await n('select count(*) as n from payment')).toBe(first.payments);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('applies every payment once, with the deterministic HIST- transaction ids, never after the as-of time', async () => {
    expect(await n('select count(*) as n from payment')).toBe(await n('select count(*) as n from (select distinct channel, channel_txn_id from payment) d'));
    expect(await n(`select count(*) as n from payment where channel_txn_id not like 'HIST-' || channel || '-' || account_id || '-%'`)).toBe(0);
    expect(await n(`select count(*) as n from payment where paid_at > '${asOf.toISOString()}'`)).toBe(0);
  });

  it('balances: the clearing books hold every payment, receivable + penalty + prepaid took them', async () => {
    const paid = await n('select coalesce(sum(amount_fen), 0) as n from payment');
    expect(await n(`select coalesce(sum(balance_fen), 0) as n from ledger_balance where book like 'clearing.%'`)).toBe(paid);
    expect(await n('select coalesce(sum(principal_fen + penalty_fen + prepaid_fen), 0) as n from payment')).toBe(paid);
    // penalties were charged by allocation and collected; some top-ups left prepaid balance
    expect(await n(`select coalesce(sum(penalty_fen), 0) as n from payment`)).toBeGreaterThan(0);
    expect(await n(`select count(*) as n from ledger_balance where book = 'prepaid' and balance_fen < 0`)).toBeGreaterThan(0);
  });

  it('never gives money to a bill issued after the payment', async () => {
    expect(
      await n(`select count(*) as n from payment_allocation pa join payment p on p.account_id = pa.account_id and p.id = pa.payment_id
                 join bill b on b.account_id = pa.account_id and b.id = pa.bill_id where b.issued_at >= p.paid_at`),
    ).toBe(0);
  });

  it('dates each settled bill on the day of the payment that settled it, or of its issue when prepaid settled it whole', async () => {
    expect(await n(`select count(*) as n from bill_settlement where settled_on is not null`)).toBeGreaterThan(ACCOUNTS * 10);
    expect(
      await n(`select count(*) as n from bill_settlement s join bill b on b.account_id = s.account_id and b.id = s.bill_id
                where s.settled_on is distinct from coalesce((select max(p.business_date) from payment_allocation pa join payment p on p.account_id = pa.account_id and p.id = pa.payment_id
                                                               where pa.account_id = s.account_id and pa.bill_id = s.bill_id),
                                                              (b.issued_at at time zone 'Asia/Shanghai')::date)
                  and s.settled_on is not null`),
    ).toBe(0);
  });

  it('moves payments online over the two years; organisations pay by bank debit too', async () => {
    const share = async (from: string, to: string) =>
      n(`select round(1000.0 * count(*) filter (where channel in ('wechatpay', 'alipay', 'gridapp')) / count(*)) as n from payment where business_date >= '${from}' and business_date < '${to}'`);
    const early = await share('2024-12-01', '2025-03-01');
    const late = await share('2026-08-01', '2026-11-01');
    expect(late).toBeGreaterThan(early + 250);
    expect(early).toBeLessThan(450);
    expect(late).toBeGreaterThan(550);
    expect(await n(`select count(*) as n from payment p join account a on a.id = p.account_id where p.channel = 'bank' and a.category = 'residential'`)).toBe(0);
    expect(await n(`select count(*) as n from payment where channel = 'bank'`)).toBeGreaterThan(0);
    expect(await n(`select count(*) as n from payment where channel = 'counter' and operator_id is null`)).toBe(0);
  });

  it('leaves a paid payment order behind each online payment, like the channels do', async () => {
    const online = await n(`select count(*) as n from payment where channel in ('wechatpay', 'alipay', 'gridapp')`);
    expect(await n('select count(*) as n from payment_order')).toBe(online);
    expect(
      await n(`select count(*) as n from payment p join payment_order o on o.id = p.order_id
                where o.status = 'paid' and o.payment_id = p.id and o.account_id = p.account_id and o.amount_fen = p.amount_fen
                  and o.channel = p.channel and o.channel_txn_id = p.channel_txn_id and o.paid_at = p.paid_at and o.out_trade_no ~ '^GR[0-9]{8}[A-Z2-7]{16}$'`),
    ).toBe(online);
  });

  it('prompt accounts owe nothing older than the last period; defaulting accounts are in arrears', async () => {
    const lastPeriod = '2026-10';
    expect(
      await n(`select count(*) as n from bill b join account a on a.id = b.account_id
                left join bill_settlement s on s.account_id = b.account_id and s.bill_id = b.id
                where a.behaviour_profile = 'prompt' and b.status = 'issued' and b.period < '${lastPeriod}'
                  and (b.total_fen > coalesce(s.principal_paid_fen, 0) or coalesce(s.penalty_charged_fen, 0) > coalesce(s.penalty_paid_fen, 0))`),
    ).toBe(0);
    const defaulting = await n(`select count(distinct b.account_id) as n from bill b join account a on a.id = b.account_id where a.behaviour_profile = 'defaulting' and b.total_fen > 0`);
    expect(defaulting).toBeGreaterThan(5);
    expect(
      await n(`select count(*) as n from account a join ledger_balance l on l.account_id = a.id and l.book = 'receivable'
                where a.behaviour_profile = 'defaulting' and l.balance_fen > 0`),
    ).toBe(defaulting);
  });

  it('adds nothing when run again — after it completed, and refuses to go on when its marker is gone', async () => {
    const before = await tallies();
    const again = await replayDemoHistory(handle, { asOf });
    expect(again.alreadyDone).toBe(true);
    expect(await tallies()).toEqual(before);
    const marker = (await handle.pool.query(`select value from app_setting where key = 'demo.payment_history'`)).rows[0]!.value as unknown;
    await handle.pool.query(`delete from app_setting where key = 'demo.payment_history'`);
    // which months were done is lost: planned again against today's balances, payments would come out otherwise
    await expect(replayDemoHistory(handle, { asOf })).rejects.toThrow(/granary demo --reset/);
    expect(await tallies()).toEqual(before);
    await handle.pool.query(`insert into app_setting (key, value) values ('demo.payment_history', $1)`, [JSON.stringify(marker)]);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  }, 120_000);

  it('is deterministic, and resumes after a failed batch without applying anything twice', async () => {
    const other = await county();
    try {
      // a batch fails part-way (its transaction rolls back), as a crash would leave it
      await other.pool.query(`create function fail_replay() returns trigger language plpgsql as $$
        begin if (select count(*) from payment) > 4000 then raise exception 'replay interrupted'; end if; return null; end $$`);
      await other.pool.query('create trigger fail_replay after insert on payment_order for each statement execute function fail_replay()');
      // small batches: the month it stops in has some of its batches in, whose accounts the resumed month skips
      await expect(replayDemoHistory(other, { asOf, batchSize: 150 })).rejects.toThrow(/replay interrupted/);
      const partial = await count(other, 'select count(*) as n from payment');
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(first.payments);
      await other.pool.query('drop trigger fail_replay on payment_order');
      const rest = await replayDemoHistory(other, { asOf: new Date('2027-01-01T00:00:00Z'), batchSize: 777 });
      expect(rest.payments).toBe(first.payments - partial);
      expect(await count(other, FINGERPRINT)).toBe(await n(FINGERPRINT));
      expect((await checkLedger(other.db)).violations).toEqual([]);
    } finally {
      await other.close();
    }
  }, 240_000);
});
