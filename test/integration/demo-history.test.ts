import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { createDemoCounty } from '../../src/modules/simulator/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { billDemoHistory } from '../../src/workflows/bill-demo-history.js';
import { createTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
const asOf = new Date('2026-11-15T04:00:00Z');

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedTariffDefaults(handle.db);
  await createDemoCounty(handle, { accounts: 250, seed: 11, asOf });
}, 120_000);
afterAll(async () => handle?.close());

const count = async (sql: string) => Number((await handle.pool.query<{ n: string }>(sql)).rows[0]!.n);

describe('billing the demo history', () => {
  it('issues the 24 months before asOf through the bill run, each on the 5th of the next month', async () => {
    const result = await billDemoHistory(handle, { asOf });
    expect(result.periods[0]).toBe('2024-11');
    expect(result.periods.at(-1)).toBe('2026-10');
    const runs = (await handle.pool.query<{ period: string; status: string; issue_date: string }>('select period, status, issue_date::text from bill_run order by period')).rows;
    expect(runs).toHaveLength(24);
    expect(runs.every((r) => r.status === 'issued')).toBe(true);
    expect(runs[0]!.issue_date).toBe('2024-12-05');
    const billed = await count(`select count(distinct account_id) as n from bill where period = '2026-10'`);
    expect(billed).toBeGreaterThan(240);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
    const receivable = await count(`select coalesce(sum(balance_fen), 0) as n from ledger_balance where book = 'receivable'`);
    const billedFen = await count(`select coalesce(sum(total_fen), 0) as n from bill where status = 'issued'`);
    expect(receivable).toBe(billedFen);
  }, 180_000);

  it('adds nothing when run again', async () => {
    const before = await count('select count(*) as n from bill');
    const transfers = await count('select count(*) as n from ledger_transfer');
    await billDemoHistory(handle, { asOf });
    expect(await count('select count(*) as n from bill')).toBe(before);
    expect(await count('select count(*) as n from ledger_transfer')).toBe(transfers);
  }, 60_000);
});
