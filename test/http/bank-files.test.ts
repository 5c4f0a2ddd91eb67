import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * The bank debit file API (代扣回盘): upload as a raw CSV body, the same file again replayed, the batch list
 * and summary, the result file; who may import (marketing, admin) and read (company-level roles); files
 * refused as a whole (422, 415) write nothing. The fixture's accounts have no bills: their debits go to
 * prepaid balances.
 */
const api = '/api/v1';
const HEADER = 'bank_txn_id,account_no,amount,debit_date,status,bank_message';

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;

const csv = { 'content-type': 'text/csv' };
const upload = (user: Parameters<TestApp['as']>[0], body: string | Buffer, query = 'bank=ICBC&fileName=ICBC_DK_20261120.csv', headers: Record<string, string> = csv) =>
  t.as(user, { method: 'POST', url: `${api}/bank-files?${query}`, payload: body, headers });

const FILE = [HEADER, 'H0001,8800000001,100.00,2026-11-20,S,', 'H0002,8800000003,25.50,2026-11-20,S,', 'H0003,8800000002,9.99,2026-11-20,F,"余额不足"', 'H0004,8899999999,1.00,2026-11-20,S,', ''].join('\n');

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  t = await buildTestApp(handle);
  // sign everyone in now, so sessions are not "writes" of the tests below
  for (const user of ['admin', 'manager', 'marketing', 'auditor', 'headA', 'cashierA', 'amA1', 'headB'] as const) await t.tokenFor(user);
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

describe('import over HTTP', () => {
  let batchId: number;

  it('posts a file uploaded as text/csv (201) and answers the batch with its figures', async () => {
    const res = await upload('marketing', FILE);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.outcome).toBe('created');
    expect(body.batch).toMatchObject({
      bank: 'ICBC',
      fileName: 'ICBC_DK_20261120.csv',
      encoding: 'utf-8',
      status: 'posted',
      businessDate: '2026-11-20',
      lines: 4,
      postedThrough: 4,
      accepted: 2,
      rejected: 2,
      acceptedFen: 12550,
      createdBy: fx.users.marketing,
      allocation: { payments: 2, principalFen: 0, penaltyFen: 0, prepaidFen: 12550 },
    });
    expect(body.batch.rejectedByReason).toEqual([
      { reason: 'bank_failed', lines: 1 },
      { reason: 'unknown_account', lines: 1 },
    ]);
    batchId = body.batch.id;
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('answers the same file again with the earlier batch (200), changing nothing', async () => {
    const before = await fingerprintTables(handle.db);
    const res = await upload('admin', FILE, 'bank=ICBC&fileName=again.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'replayed', batch: { id: batchId, fileName: 'ICBC_DK_20261120.csv', createdBy: fx.users.marketing } });
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('lists the batches and shows one to company-level readers', async () => {
    for (const user of ['admin', 'manager', 'marketing', 'auditor'] as const) {
      const list = await t.as(user, { method: 'GET', url: `${api}/bank-files` });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json()).toMatchObject({ items: [{ id: batchId, lines: 4 }], nextCursor: null });
      const one = await t.as(user, { method: 'GET', url: `${api}/bank-files/${batchId}` });
      expect(one.statusCode, one.body).toBe(200);
      expect(one.json()).toMatchObject({ id: batchId, accepted: 2 });
    }
  });

  it('gives the result file: one line per input line', async () => {
    const res = await t.as('auditor', { method: 'GET', url: `${api}/bank-files/${batchId}/result.csv` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="ICBC_DK_20261120.result-${batchId}.csv"`);
    const lines = res.body.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/,\d+$/, ',<payment>'))).toEqual([
      'line_no,bank_txn_id,account_no,amount,result,reason,payment_id',
      '1,H0001,8800000001,100.00,accepted,,<payment>',
      '2,H0002,8800000003,25.50,accepted,,<payment>',
      '3,H0003,8800000002,9.99,rejected,bank_failed: 余额不足,',
      '4,H0004,8899999999,1.00,rejected,unknown_account,',
    ]);
  });

  it('pages the list with a cursor', async () => {
    const second = await upload('marketing', `${HEADER}\nH0100,8800000002,3.00,2026-11-20,S,\n`, 'bank=ICBC');
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().batch.fileName).toBe('bank-file.csv');
    const page1 = (await t.as('marketing', { method: 'GET', url: `${api}/bank-files?limit=1` })).json();
    expect(page1.items.map((b: { id: number }) => b.id)).toEqual([second.json().batch.id]);
    const page2 = (await t.as('marketing', { method: 'GET', url: `${api}/bank-files?limit=1&cursor=${page1.nextCursor}` })).json();
    expect(page2).toMatchObject({ items: [{ id: batchId }], nextCursor: null });
  });
});

describe('who may', () => {
  it('refuses import to every role but marketing and admin (403), before reading the upload', async () => {
    for (const user of ['manager', 'auditor', 'headA', 'cashierA', 'amA1'] as const) {
      const res = await upload(user, FILE.replace('H0001', 'X0001'));
      expect(res.statusCode, `${user}: ${res.body}`).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });

  it('refuses station roles the company’s files (403)', async () => {
    for (const user of ['headA', 'cashierA', 'amA1', 'headB'] as const) {
      for (const url of [`${api}/bank-files`, `${api}/bank-files/1`, `${api}/bank-files/1/result.csv`]) {
        const res = await t.as(user, { method: 'GET', url });
        expect(res.statusCode, `${user} ${url}`).toBe(403);
      }
    }
  });
});

describe('files refused as a whole', () => {
  it('answers 422 or 415 and writes nothing', async () => {
    const before = await fingerprintTables(handle.db);
    const header = await upload('marketing', 'txn,account,amount\nT1,8800000001,1.00\n');
    expect(header.statusCode).toBe(422);
    expect(header.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(header.json().errors).toEqual(expect.arrayContaining([{ field: 'header', message: 'column account_no is missing' }]));
    expect((await upload('marketing', `${HEADER}\n`)).statusCode).toBe(422);
    expect((await upload('marketing', '')).statusCode).toBe(422);
    expect((await upload('marketing', FILE, 'bank=icbc')).statusCode).toBe(422);
    expect((await upload('marketing', FILE, 'fileName=x.csv')).statusCode).toBe(422);
    const json = await t.as('marketing', { method: 'POST', url: `${api}/bank-files?bank=ICBC`, payload: { lines: [] } });
    expect(json.statusCode).toBe(415);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('takes a GB 18030 file', async () => {
    const body = Buffer.concat([Buffer.from(`${HEADER}\nG0001,8800000001,1.00,2026-11-20,F,`, 'latin1'), Buffer.from([0xd3, 0xe0, 0xb6, 0xee, 0xb2, 0xbb, 0xd7, 0xe3]), Buffer.from('\n')]);
    const res = await upload('admin', body, 'bank=ABC&fileName=gbk.csv', { 'content-type': 'application/octet-stream' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().batch).toMatchObject({ encoding: 'gb18030', rejected: 1 });
    const file = await t.as('admin', { method: 'GET', url: `${api}/bank-files/${res.json().batch.id}/result.csv` });
    expect(file.body).toContain('1,G0001,8800000001,1.00,rejected,bank_failed: 余额不足,');
  });
});
