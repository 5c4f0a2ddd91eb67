import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { resultChunks, systemOperator, type BankFileOperator, type ImportResult } from '../../src/modules/bankfiles/index.js';
import { importBankFile } from '../../src/workflows/import-bank-file.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { yuanOf } from '../../src/shared/money.js';
import { demoCountyWithIssuedBills } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * Bank debit files (代扣回盘) end to end on a small demo county whose October bills are issued: a file
 * with debited lines (paying bills, the rest to prepaid) and every kind of rejected line, the result file,
 * a second file in GB 18030 that repeats earlier transactions, re-import changing nothing, a file refused
 * as a whole, an import interrupted mid-way and finished by importing the file again; after each, the
 * ledger check passes and the bank's clearing book holds exactly the accepted money.
 */
const PERIOD = '2026-10';
const issuedOn = new Date('2026-11-15T12:00:00+08:00');
const importedOn = new Date('2026-11-21T09:00:00+08:00');
const HEADER = 'bank_txn_id,account_no,amount,debit_date,status,bank_message';

let handle: DatabaseHandle;
let companyId: number;
let op: BankFileOperator;
let dir: string;
/** Accounts with an open October bill: account number, id and the bill's total. */
let billed: { id: number; account_no: string; total_fen: number }[];
let closed: { id: number; account_no: string };

async function rows<T>(q: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await q.execute(handle.db)).rows;
}
const one = async <T>(q: ReturnType<typeof sql<T>>): Promise<T> => (await rows(q))[0]!;

function writeFile(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const importFile = (file: string, opts: Parameters<typeof importBankFile>[3] = {}, bank = 'ICBC') => importBankFile(handle, op, { bank, fileName: path.basename(file), path: file }, opts);

async function resultText(batchId: number): Promise<string> {
  const batch = await handle.db.selectFrom('bank_batch').selectAll().where('id', '=', batchId).executeTakeFirstOrThrow();
  let text = '';
  for await (const chunk of resultChunks(handle.db, batch)) text += chunk;
  return text;
}

/** Every invariant of the ledger, and the bank's clearing book = the money of every accepted line. */
async function expectBooksAgree() {
  const ledger = await checkLedger(handle.db);
  expect(ledger.violations).toEqual([]);
  const books = await one(sql<{ clearing: string; accepted: string; lines: string; payments: string }>`
    select (select coalesce(sum(balance_fen), 0) from ledger_balance where book = 'clearing.bank')::text as clearing,
           (select coalesce(sum(accepted_fen), 0) from bank_batch)::text as accepted,
           (select coalesce(sum(amount_fen), 0) from bank_batch_line where accepted)::text as lines,
           (select coalesce(sum(amount_fen), 0) from payment where channel = 'bank')::text as payments`);
  expect(Number(books.clearing)).toBeGreaterThan(0);
  expect(books).toEqual({ clearing: books.accepted, accepted: books.accepted, lines: books.accepted, payments: books.accepted });
}

beforeAll(async () => {
  handle = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-bankfile-test-'));
  companyId = await demoCountyWithIssuedBills(handle, { accounts: 120, seed: 5, period: PERIOD, issuedOn });
  billed = await rows(sql<{ id: number; account_no: string; total_fen: number }>`
    select a.id, a.account_no, b.total_fen from bill b join account a on a.id = b.account_id
     where b.period = ${PERIOD} and b.status = 'issued' and b.total_fen > 1000 order by a.id limit 6`);
  expect(billed).toHaveLength(6);
  closed = await one(sql<{ id: number; account_no: string }>`select id, account_no from account order by id desc limit 1`);
  await sql`update account set status = 'closed' where id = ${closed.id}`.execute(handle.db);
  op = systemOperator(companyId, importedOn, 'test');
});

afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await handle?.close();
});

describe('a debit file with accepted lines and every kind of rejected line', () => {
  let first: ImportResult;
  let file: string;
  const lines = () => {
    const [a, b, c, d] = billed;
    return [
      `T0001,${a!.account_no},${yuanOf(a!.total_fen)},2026-11-20,S,`, // 1 pays A's bill in full
      `T0002,${b!.account_no},${yuanOf(Math.floor(b!.total_fen / 2))},20261120,S,`, // 2 half of B's bill
      `T0003,${a!.account_no},10.00,2026-11-20,S,`, // 3 A again: nothing left open → prepaid
      `T0004,${c!.account_no},${yuanOf(c!.total_fen)},2026-11-20,F,余额不足`, // 4
      `T0005,9999999999,1.00,2026-11-20,S,`, // 5
      `T0006,${closed.account_no},1.00,2026-11-20,S,`, // 6
      `T0001,${d!.account_no},1.00,2026-11-20,S,`, // 7 the txn id of line 1 again
      `T0008,${d!.account_no},12.345,2026-11-20,S,`, // 8
      `T0009,${d!.account_no},1.00,2026-02-30,S,`, // 9
      `T0010,${d!.account_no},1.00,2026-12-01,S,`, // 10 after the import day
      `,${d!.account_no},1.00,2026-11-20,S,`, // 11
      `T0012,${d!.account_no},1.00,2026-11-20,S`, // 12 five fields
      `T0013,${d!.account_no},1.00,2026-11-20,X,`, // 13
      `T0014,,1.00,2026-11-20,S,`, // 14
      `T 0015,${d!.account_no},1.00,2026-11-20,S,`, // 15
      `T0016,${d!.account_no},2.00,2026-11-20,F,"账户冻结, 请联系开户行"`, // 16 a quoted message with a comma
      `T0017,${d!.account_no},0.00,2026-11-20,S,`, // 17
    ];
  };

  beforeAll(async () => {
    file = writeFile('ICBC_DK_20261120.csv', `\uFEFF${HEADER}\r\n${lines().join('\r\n')}\r\n\r\n`);
    first = await importFile(file, { stepSize: 5 });
  });

  it('posts the debited lines and rejects the rest, counting both', async () => {
    const [a, b] = billed;
    expect(first.outcome).toBe('created');
    const batch = first.batch;
    expect(batch).toMatchObject({ status: 'posted', lines: 17, posted_through: 17, accepted: 3, rejected: 14, bank: 'ICBC', encoding: 'utf-8', business_date: '2026-11-20', company_id: companyId });
    expect(batch.accepted_fen).toBe(a!.total_fen + Math.floor(b!.total_fen / 2) + 1000);
    const payments = await rows(sql<{ account_id: number; channel_txn_id: string; amount_fen: number; principal_fen: number; prepaid_fen: number; business_date: string }>`
      select account_id, channel_txn_id, amount_fen, principal_fen, prepaid_fen, business_date::text from payment where bank_batch_id = ${batch.id} order by id`);
    expect(payments).toEqual([
      { account_id: a!.id, channel_txn_id: 'ICBC:T0001', amount_fen: a!.total_fen, principal_fen: a!.total_fen, prepaid_fen: 0, business_date: '2026-11-20' },
      { account_id: b!.id, channel_txn_id: 'ICBC:T0002', amount_fen: Math.floor(b!.total_fen / 2), principal_fen: Math.floor(b!.total_fen / 2), prepaid_fen: 0, business_date: '2026-11-20' },
      { account_id: a!.id, channel_txn_id: 'ICBC:T0003', amount_fen: 1000, principal_fen: 0, prepaid_fen: 1000, business_date: '2026-11-20' },
    ]);
  });

  it('gives each line its reason, in the order the checks run', async () => {
    const reasons = await rows(sql<{ line_no: number; accepted: boolean; reason: string | null }>`
      select line_no, accepted, reason from bank_batch_line where batch_id = ${first.batch.id} order by line_no`);
    expect(reasons.map((r) => (r.accepted ? 'accepted' : r.reason))).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'bank_failed: 余额不足',
      'unknown_account',
      'closed_account',
      'duplicate_in_file: line 1',
      'bad_amount: "12.345"',
      'bad_date: "2026-02-30"',
      'future_date: 2026-12-01',
      'missing_txn_id',
      'bad_line: 5 fields, the header has 6',
      'bad_status: "X"',
      'missing_account_no',
      'bad_txn_id: "T 0015"',
      'bank_failed: 账户冻结, 请联系开户行',
      'bad_amount: "0.00"',
    ]);
  });

  it('writes the result file: one line per input line', async () => {
    const [a, b, c, d] = billed;
    const ids = (await rows(sql<{ id: number }>`select id from payment where bank_batch_id = ${first.batch.id} order by id`)).map((r) => r.id);
    expect((await resultText(first.batch.id)).split('\n')).toEqual([
      'line_no,bank_txn_id,account_no,amount,result,reason,payment_id',
      `1,T0001,${a!.account_no},${yuanOf(a!.total_fen)},accepted,,${ids[0]}`,
      `2,T0002,${b!.account_no},${yuanOf(Math.floor(b!.total_fen / 2))},accepted,,${ids[1]}`,
      `3,T0003,${a!.account_no},10.00,accepted,,${ids[2]}`,
      `4,T0004,${c!.account_no},${yuanOf(c!.total_fen)},rejected,bank_failed: 余额不足,`,
      '5,T0005,9999999999,1.00,rejected,unknown_account,',
      `6,T0006,${closed.account_no},1.00,rejected,closed_account,`,
      `7,T0001,${d!.account_no},1.00,rejected,duplicate_in_file: line 1,`,
      `8,T0008,${d!.account_no},,rejected,"bad_amount: ""12.345""",`,
      `9,T0009,${d!.account_no},1.00,rejected,"bad_date: ""2026-02-30""",`,
      `10,T0010,${d!.account_no},1.00,rejected,future_date: 2026-12-01,`,
      `11,,${d!.account_no},1.00,rejected,missing_txn_id,`,
      '12,,,,rejected,"bad_line: 5 fields, the header has 6",',
      `13,T0013,${d!.account_no},1.00,rejected,"bad_status: ""X""",`,
      '14,T0014,,1.00,rejected,missing_account_no,',
      `15,T 0015,${d!.account_no},1.00,rejected,"bad_txn_id: ""T 0015""",`,
      `16,T0016,${d!.account_no},2.00,rejected,"bank_failed: 账户冻结, 请联系开户行",`,
      `17,T0017,${d!.account_no},0.00,rejected,"bad_amount: ""0.00""",`,
      '',
    ]);
  });

  it('settles the bill paid in full and leaves the half-paid one open', async () => {
    const [a, b] = billed;
    const s = await rows(sql<{ account_id: number; principal_paid_fen: number; settled_on: string | null }>`
      select account_id, principal_paid_fen, settled_on::text from bill_settlement where account_id in (${a!.id}, ${b!.id}) order by account_id`);
    expect(s).toEqual([
      { account_id: a!.id, principal_paid_fen: a!.total_fen, settled_on: '2026-11-20' },
      { account_id: b!.id, principal_paid_fen: Math.floor(b!.total_fen / 2), settled_on: null },
    ]);
  });

  it('keeps the ledger whole: the bank clearing book holds exactly the accepted money', async () => {
    await expectBooksAgree();
  });

  it('writes the import to the audit log', async () => {
    const audit = await rows(sql<{ action: string; entity_id: string; detail: Record<string, unknown> }>`select action, entity_id, detail from audit_log where action like 'bank_file.%' order by id`);
    expect(audit).toEqual([
      { action: 'bank_file.import', entity_id: String(first.batch.id), detail: expect.objectContaining({ bank: 'ICBC', fileName: 'ICBC_DK_20261120.csv', lines: 17, encoding: 'utf-8' }) },
      { action: 'bank_file.posted', entity_id: String(first.batch.id), detail: { lines: 17, accepted: 3, rejected: 14, acceptedFen: first.batch.accepted_fen, resumed: false } },
    ]);
  });

  it('imports the same file again as the earlier result, changing nothing', async () => {
    const before = await fingerprintTables(handle.db);
    const again = await importFile(file);
    expect(again.outcome).toBe('replayed');
    expect(again.batch).toEqual(first.batch);
    // the same bytes under another name are the same file
    const renamed = await importFile(writeFile('copy.csv', fs.readFileSync(file)));
    expect(renamed).toMatchObject({ outcome: 'replayed', batch: { id: first.batch.id } });
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('in GB 18030, recognises transactions applied by the earlier file', async () => {
    const [a, b, , , e] = billed;
    const gb = (s: string) => Buffer.from(s, 'latin1');
    const body = Buffer.concat([
      gb(`${HEADER}\n`),
      gb(`T0001,${a!.account_no},${yuanOf(a!.total_fen)},2026-11-20,S,\n`), // applied by the first file: same account and amount
      gb(`T0002,${b!.account_no},1.23,2026-11-20,S,\n`), // applied by the first file with another amount
      gb(`T0020,${e!.account_no},${yuanOf(e!.total_fen)},2026-11-21,S,\n`),
      gb(`T0021,${e!.account_no},5.00,2026-11-21,F,`),
      Buffer.from([0xd3, 0xe0, 0xb6, 0xee, 0xb2, 0xbb, 0xd7, 0xe3]), // 余额不足 in GB 18030
      gb('\n'),
    ]);
    const second = await importFile(writeFile('ICBC_DK_20261121.csv', body));
    expect(second.batch).toMatchObject({ encoding: 'gb18030', lines: 4, accepted: 1, rejected: 3, accepted_fen: e!.total_fen, business_date: '2026-11-21' });
    const first2 = await one(sql<{ p1: number; p2: number }>`
      select (select id from payment where channel_txn_id = 'ICBC:T0001') as p1, (select id from payment where channel_txn_id = 'ICBC:T0002') as p2`);
    const reasons = await rows(sql<{ reason: string | null }>`select reason from bank_batch_line where batch_id = ${second.batch.id} order by line_no`);
    expect(reasons.map((r) => r.reason)).toEqual([`already_applied: payment ${first2.p1}`, `txn_conflict: payment ${first2.p2}`, null, 'bank_failed: 余额不足']);
    await expectBooksAgree();
  });

  it('keeps one bank’s transaction ids apart from another’s', async () => {
    const [, , , , , f] = billed;
    const other = await importFile(writeFile('ABC_DK_20261120.csv', `${HEADER}\nT0001,${f!.account_no},3.00,2026-11-20,S,\n`), {}, 'ABC');
    expect(other.batch).toMatchObject({ bank: 'ABC', accepted: 1, rejected: 0 });
    expect(await one(sql<{ n: number }>`select count(*)::int as n from payment where channel_txn_id = 'ABC:T0001' and account_id = ${f!.id}`)).toEqual({ n: 1 });
    await expectBooksAgree();
  });
});

describe('one importer per file', () => {
  it('answers 409 while another session imports the same file, and imports it afterwards', async () => {
    const file = writeFile('ICBC_DK_busy.csv', `${HEADER}\nB0001,${billed[0]!.account_no},1.00,2026-11-20,S,\n`);
    const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const other = await handle.pool.connect();
    try {
      await other.query('select pg_advisory_lock($1, hashtext($2))', [7_304_406, `${companyId}:${sha}`]);
      await expect(importFile(file)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await one(sql<{ n: number }>`select count(*)::int as n from bank_batch where file_sha256 = ${sha}`)).toEqual({ n: 0 });
    } finally {
      await other.query('select pg_advisory_unlock_all()');
      other.release();
    }
    expect((await importFile(file)).batch).toMatchObject({ status: 'posted', accepted: 1 });
  });
});

describe('a file refused as a whole writes nothing', () => {
  it('refuses a file that is not a debit file, an empty one and one with no lines (422)', async () => {
    const before = await fingerprintTables(handle.db);
    await expect(importFile(writeFile('wrong.csv', 'txn,account,amount\nT1,0001,1.00\n'))).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('column account_no is missing') });
    await expect(importFile(writeFile('empty.csv', ''))).rejects.toMatchObject({ code: 'VALIDATION', message: 'file: the file is empty' });
    await expect(importFile(writeFile('header-only.csv', `${HEADER}\n`))).rejects.toMatchObject({ code: 'VALIDATION', message: 'file: the file has a header but no debit lines' });
    await expect(importFile(writeFile('blank.csv', '\n\n'))).rejects.toMatchObject({ code: 'VALIDATION', message: 'file: the file has no header line' });
    await expect(importBankFile(handle, op, { bank: 'icbc', fileName: 'x.csv', path: path.join(dir, 'wrong.csv') })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('refuses a role that may not import (403)', async () => {
    const cashier = { ...op, userId: 1, role: 'cashier' as const };
    await expect(importBankFile(handle, cashier, { bank: 'ICBC', fileName: 'x.csv', path: path.join(dir, 'wrong.csv') })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('steps side by side', () => {
  it('posts one account’s lines across many steps in file order, with no deadlock and nothing lost', async () => {
    // three accounts, each on every third line of 60: every step shares its accounts with the steps beside it
    const three = billed.slice(3, 6);
    const before = await rows(sql<{ account_id: number; paid: number }>`
      select account_id, coalesce(sum(amount_fen), 0)::int as paid from payment where account_id in (${three[0]!.id}, ${three[1]!.id}, ${three[2]!.id}) group by account_id`);
    const lines = Array.from({ length: 60 }, (_, i) => `L${String(i + 1).padStart(4, '0')},${three[i % 3]!.account_no},${(1 + (i % 7)).toFixed(2)},2026-11-20,S,`);
    const done = await importFile(writeFile('ICBC_DK_lanes.csv', `${HEADER}\n${lines.join('\n')}\n`), { stepSize: 4, lanes: 3 });
    expect(done.batch).toMatchObject({ status: 'posted', lines: 60, accepted: 60, rejected: 0 });
    // payment ids follow the file's order within each account (steps locked and committed in order)
    const pays = await rows(sql<{ account_id: number; channel_txn_id: string }>`select account_id, channel_txn_id from payment where bank_batch_id = ${done.batch.id} order by account_id, id`);
    for (const a of three) {
      const txns = pays.filter((p) => p.account_id === a.id).map((p) => p.channel_txn_id);
      expect(txns).toEqual([...txns].sort());
      expect(txns).toHaveLength(20);
    }
    const paid = await rows(sql<{ account_id: number; paid: number }>`
      select account_id, sum(amount_fen)::int as paid from payment where account_id in (${three[0]!.id}, ${three[1]!.id}, ${three[2]!.id}) group by account_id order by account_id`);
    const added = (k: number) => lines.reduce((sum, _l, i) => sum + (i % 3 === k ? (1 + (i % 7)) * 100 : 0), 0);
    expect(paid).toEqual(three.map((a, k) => ({ account_id: a.id, paid: (before.find((b) => b.account_id === a.id)?.paid ?? 0) + added(k) })).sort((x, y) => x.account_id - y.account_id));
    await expectBooksAgree();
  });
});

describe('an import interrupted mid-way', () => {
  it('keeps the steps it committed, and finishes when the file is imported again — every line once', async () => {
    const accounts = await rows(sql<{ account_no: string }>`select account_no from account where status = 'active' order by id limit 45`);
    const lines = accounts.map((a, i) => `R${String(i + 1).padStart(4, '0')},${a.account_no},${(i + 1).toFixed(2)},2026-11-20,${i % 9 === 4 ? 'F' : 'S'},`);
    const file = writeFile('ICBC_DK_crash.csv', `${HEADER}\n${lines.join('\n')}\n`);
    const crash = new Error('power cut');
    await expect(
      importFile(file, {
        stepSize: 10,
        onProgress: (p) => {
          if (p.phase === 'posting' && p.done >= 20) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    const half = await handle.db.selectFrom('bank_batch').selectAll().where('file_name', '=', 'ICBC_DK_crash.csv').executeTakeFirstOrThrow();
    // the step in flight beside the one that reported 20 lines may have committed too (two lanes)
    expect(half).toMatchObject({ status: 'posting', lines: 45 });
    expect([20, 30]).toContain(half.posted_through);
    expect(half.accepted + half.rejected).toBe(half.posted_through);
    expect(await one(sql<{ n: number; last: number }>`select count(*)::int as n, max(line_no) as last from bank_batch_line where batch_id = ${half.id}`)).toEqual({ n: half.posted_through, last: half.posted_through });
    expect(await one(sql<{ n: number }>`select count(*)::int as n from payment where bank_batch_id = ${half.id}`)).toEqual({ n: half.accepted });
    await expectBooksAgree();

    const done = await importFile(file, { stepSize: 10 });
    expect(done.outcome).toBe('resumed');
    expect(done.batch).toMatchObject({ id: half.id, status: 'posted', lines: 45, posted_through: 45, accepted: 40, rejected: 5 });
    expect(done.batch.accepted_fen).toBe(lines.reduce((s, _l, i) => s + (i % 9 === 4 ? 0 : (i + 1) * 100), 0));
    const text = await resultText(half.id);
    expect(text.trimEnd().split('\n').map((l) => Number(l.split(',')[0]))).toEqual([NaN, ...Array.from({ length: 45 }, (_, i) => i + 1)]);
    expect(await one(sql<{ n: number; distinct: number }>`select count(*)::int as n, count(distinct channel_txn_id)::int as distinct from payment where bank_batch_id = ${half.id}`)).toEqual({ n: 40, distinct: 40 });
    expect((await importFile(file)).outcome).toBe('replayed');
    await expectBooksAgree();
  });
});
