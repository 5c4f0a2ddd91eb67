import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { importReadsFile } from '../../src/modules/metering/index.js';
import { refusedCsv } from '../../src/modules/metering/metering.commands.js';
import { AppError } from '../../src/shared/errors.js';
import { seedCounty } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/** `granary reads import <file.csv>` and the use case under it: batches in one transaction, refused rows with reasons. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOW = new Date('2026-12-10T04:00:00Z');
let handle: DatabaseHandle;
let dir: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedCounty(handle.db);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-reads-'));
});
afterAll(async () => {
  await handle?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const totals = async (meterNo: string) =>
  (await sql<{ read_on: string; total: string; source: string }>`
    select d.read_on, d.total, d.source from daily_read d join meter m on m.id = d.meter_id where m.meter_no = ${meterNo} order by d.read_on`.execute(handle.db)).rows;

describe('importReadsFile', () => {
  it('judges the rows in batches, writes the accepted ones and lists the refused with their lines', async () => {
    const csv = file(
      'reads.csv',
      '\ufeffMeter_No,read_on,total,peak,flat,valley\n' +
        'MT-A1,2026-11-01,1000.00,,,\n' +
        'MT-A1,2026-11-02,1010.5,,,\n' +
        '\n' +
        '"MT-A2",2026-11-01,500,,,\n' +
        'MT-A1,2026-11-03,1005,,,\n' + // backwards, judged in the second batch against the first
        '"=cmd|\' /C calc\'!A0",2026-11-01,1,,,\n' + // an unknown meter whose number a spreadsheet would run
        'MT-A2,2026-11-02,,,,\n' + // no total
        'MT-B1,2026-11-01,200,50,100,40\n' + // TOU not summing
        'MT-A2,2026-11-01,500.00,,,\n', // a duplicate of line 5
    );
    const progress: number[] = [];
    const r = await importReadsFile(handle.pool, csv, { batchSize: 2, now: NOW, audit: { actorId: null, actorName: 'cli', ip: null }, onProgress: (p) => progress.push(p.done / p.total) });
    expect(r).toMatchObject({ rows: 8, batches: 4, accepted: 3, duplicates: 1 });
    expect(r.refused.map((j) => [j.line, j.reason])).toEqual([
      [6, 'backwards'],
      [7, 'unknown_meter'],
      [8, 'invalid_register'],
      [9, 'tou_mismatch'],
    ]);
    expect(progress.at(-1)).toBe(1);
    expect(await totals('MT-A1')).toEqual([
      { read_on: '2026-11-01', total: '1000.00', source: 'import' },
      { read_on: '2026-11-02', total: '1010.50', source: 'import' },
    ]);
    expect(await totals('MT-A2')).toEqual([{ read_on: '2026-11-01', total: '500.00', source: 'import' }]);

    const out = refusedCsv(r).split('\n');
    expect(out[0]).toBe('line,meter_no,read_on,total,peak,flat,valley,reason,detail');
    expect(out[1]).toBe('6,MT-A1,2026-11-03,1005,,,,backwards,total 1005.00 is below 1010.50 read on 2026-11-02');
    // the formula is written as text, quoted
    expect(out[2]).toBe(`7,'=cmd|' /C calc'!A0,2026-11-01,1,,,,unknown_meter,no meter =cmd|' /C calc'!A0`);
    expect(out[4]).toMatch(/^9,MT-B1,2026-11-01,200,50,100,40,tou_mismatch,/);

    const audit = await sql<{ detail: { received: number; accepted: number; file: string } }>`select detail from audit_log where action = 'reads.import'`.execute(handle.db);
    expect(audit.rows.map((a) => a.detail)).toEqual([expect.objectContaining({ file: 'reads.csv', received: 8, accepted: 3, duplicates: 1 })]);
  });

  it('a line that cannot be read stops the file, and nothing of it is written (earlier batches included)', async () => {
    const before = await fingerprintTables(handle.db);
    const csv = file('broken.csv', 'meter_no,read_on,total\nMT-B1,2026-11-05,300\nMT-B1,2026-11-06,310\nMT-B1,2026-11-07,320\nMT-B1,2026-11-08,330,9\n');
    const err = await importReadsFile(handle.pool, csv, { batchSize: 1, now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION');
    expect((err as AppError).message).toMatch(/cannot be read, nothing written.*line 5/i);
    for (const [name, text] of [
      ['columns.csv', 'meter_no,read_on,total,reactive\nMT-B1,2026-11-05,300,1\n'],
      ['missing.csv', 'meter_no,total\nMT-B1,300\n'],
      ['quote.csv', 'meter_no,read_on,total\nMT-B1,2026-11-05,"300\n'],
    ] as const) {
      const e = await importReadsFile(handle.pool, file(name, text), { now: NOW }).catch((x: unknown) => x);
      expect((e as AppError).code, name).toBe('VALIDATION');
    }
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });
});

describe('granary reads import', () => {
  it('prints the summary and writes the refused rows', async () => {
    const csv = file('cli.csv', 'meter_no,read_on,total\nMT-B1,2026-11-20,1000\nMT-B1,2026-11-21,1001\nMT-NONE,2026-11-21,1\nMT-B1,2026-11-22,999\n');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/granary.mjs'), 'reads', 'import', csv], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: handle.url, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`${csv}: 4 rows in 1 batch`);
    expect(stdout).toMatch(/accepted 2, duplicates 0, refused 2/);
    expect(stdout).toMatch(/refused backwards +1/);
    expect(stdout).toMatch(/refused unknown_meter +1/);
    const refused = path.join(dir, 'cli.refused.csv');
    expect(stdout).toContain(`refused rows: ${refused}`);
    expect(fs.readFileSync(refused, 'utf8').split('\n').slice(1, 3)).toEqual(['4,MT-NONE,2026-11-21,1,,,,unknown_meter,no meter MT-NONE', '5,MT-B1,2026-11-22,999,,,,backwards,total 999.00 is below 1001.00 read on 2026-11-21']);
    expect((await totals('MT-B1')).map((r) => r.total)).toEqual(['1000.00', '1001.00']);
  });
});
