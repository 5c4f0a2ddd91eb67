import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { balancesOf, checkLedger, postTransfer, transfersFor, type TransferDraft } from '../../src/modules/ledger/index.js';
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
