import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { PipelinedTransactor } from '../../src/db/pipeline.js';
import { send } from '../../src/db/tx.js';
import { readPaymentContext } from '../../src/modules/payments/payments.repository.js';
import { demoCountyWithIssuedBills } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The counter's pipelined connections plan a prepared statement once, with the tables as they are then
 * (db/pipeline.ts). A plan made on a new system's empty tables must still look every row up by its key
 * when the tables have grown: here, the payment context read prepared before the first payment.
 */
let handle: DatabaseHandle;
let pipelined: PipelinedTransactor;

beforeAll(async () => {
  handle = await createTestDatabase();
  // a new system on the day of its first counter payment: accounts and issued bills, no payment yet, all
  // analysed as autovacuum (or a set-up's vacuum) leaves them — payment and bill_settlement empty
  await demoCountyWithIssuedBills(handle, { accounts: 300, seed: 5, period: '2026-10', issuedOn: new Date('2026-11-15T12:00:00+08:00') });
  await sql`analyze`.execute(handle.db);
  pipelined = new PipelinedTransactor(handle.pool, 1);
});

afterAll(async () => {
  await pipelined?.close();
  await handle?.close();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

// a literal for each parameter type of the context read (EXPLAIN EXECUTE needs values; the plan is the generic one)
const LITERALS: Record<string, string> = { 'bigint[]': `'{1,2}'`, 'text[]': `'{counter}'`, integer: '2', regclass: `'ledger_transfer_id_seq'` };

describe('the counter connections', () => {
  it('look payments, bills, states and accounts up by key with the context read prepared before the first payment', async () => {
    const plan = await pipelined.transaction(async (trx) => {
      const context = await readPaymentContext(trx, [1, 2], [{ channel: 'counter', channelTxnId: 'CTR-1-k' }], 2);
      expect(context.bills.map((b) => b.accountId)).toEqual([1, 2]);
      const [prepared] = await send<{ name: string; types: string[] }>(
        trx,
        sql<{ name: string; types: string[] }>`select name, parameter_types::text[] as types from pg_prepared_statements where statement like '%json_build_array%'`.compile(trx),
      );
      expect(prepared, 'the context read is prepared on this connection').toBeDefined();
      const args = prepared!.types.map((t) => LITERALS[t] ?? `'unexpected parameter type ${t}'`).join(', ');
      const [explained] = await send<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(trx, sql.raw<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (format json) execute ${prepared!.name}(${args})`).compile(trx));
      return explained!['QUERY PLAN'][0]!.Plan;
    });
    const scans = nodesOf(plan).filter((n) => n['Relation Name']);
    // the index a scan reads (a bitmap heap scan's is its bitmap index scan's)
    const indexOf = (n: PlanNode) => n['Index Name'] ?? n.Plans?.find((c) => c['Node Type'] === 'Bitmap Index Scan')?.['Index Name'];
    const on = (table: string) => scans.filter((n) => n['Relation Name'] === table);
    // no table of the payments (any but the few penalty minimum settings) is read whole
    for (const n of scans) if (n['Relation Name'] !== 'penalty_minimum') expect(n['Node Type'], `${n['Relation Name']}`).toMatch(/^(Index( Only)? Scan|Bitmap Heap Scan)$/);
    expect(on('payment').map(indexOf)).toEqual(['payment_channel_txn']);
    expect(on('payment')[0]!['Index Cond']).toMatch(/channel_txn_id/);
    expect(on('bill').map(indexOf)).toEqual(['bill_pkey']);
    expect(on('bill_settlement').map(indexOf)).toEqual(['bill_settlement_pkey']);
    expect(on('account').map(indexOf)).toEqual(['account_pkey']);
  });
});
