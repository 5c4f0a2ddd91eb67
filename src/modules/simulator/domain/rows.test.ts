import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { copyLine } from '../../../db/copy.js';
import { walkAccounts } from './accounts.js';
import { CYCLE_READS, DAILY_DAYS, demoCalendar } from './calendar.js';
import { planCounty } from './county.js';
import { hasDailyReads } from './reads.js';
import { AsciiChunk } from './ascii.js';
import { accountValues, DEMO_PASSES, newTally, type DemoInput } from './rows.js';

const asOf = new Date('2026-05-20T04:00:00Z');
const inputFor = (accounts: number, seed: number): DemoInput => ({ plan: planCounty(accounts, seed), cal: demoCalendar(asOf), passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA' });

function tableText(input: DemoInput): Map<string, { text: string; rows: number }> {
  const out = new Map<string, { text: string; rows: number }>();
  for (const pass of DEMO_PASSES) {
    const tally = newTally();
    out.set(pass.table, { text: [...pass.chunks(input, tally)].join(''), rows: tally.rows });
  }
  return out;
}

const digest = (tables: Map<string, { text: string }>) => createHash('sha256').update([...tables.values()].map((t) => t.text).join('\u0000')).digest('hex');

describe('demo county COPY text', () => {
  const input = inputFor(1500, 1);
  const tables = tableText(input);
  const accounts = [...walkAccounts(input.plan, input.cal)];

  it('is byte-for-byte the same for the same seed and different for another', () => {
    expect(digest(tableText(inputFor(1500, 1)))).toBe(digest(tables));
    expect(digest(tableText(inputFor(1500, 2)))).not.toBe(digest(tables));
  });

  it('has exactly one field per column on every line and nothing that needed escaping', () => {
    for (const pass of DEMO_PASSES) {
      const lines = tables.get(pass.table)!.text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.length).toBe(tables.get(pass.table)!.rows);
      for (const l of lines) {
        const fields = l.split('\t');
        if (fields.length !== pass.columns.length) throw new Error(`${pass.table}: ${fields.length} fields in ${l}`);
        for (const f of fields) if (f.includes('\\') && f !== '\\N' && !f.startsWith('$argon2')) throw new Error(`${pass.table}: escaped field ${f}`);
      }
    }
  });

  it('writes accounts exactly as the general COPY encoder would', () => {
    const lines = tables.get('account')!.text.split('\n');
    accounts.forEach((a, i) => expect(lines[i] + '\n').toBe(copyLine(accountValues(a))));
  });

  it('writes 25 cycle reads per meter and 60 daily reads per prepaid meter', () => {
    expect(tables.get('cycle_read')!.rows).toBe(accounts.length * CYCLE_READS);
    expect(tables.get('daily_read')!.rows).toBe(accounts.filter(hasDailyReads).length * DAILY_DAYS);
    expect(tables.get('meter')!.rows).toBe(accounts.length);
    expect(tables.get('account_contact')!.rows).toBe(accounts.reduce((n, a) => n + a.contacts.length, 0));
  });

  it('writes one primary owner contact per account and customers once', () => {
    const primaries = tables.get('account_contact')!.text.split('\n').filter((l) => l.endsWith('\towner\tt'));
    expect(primaries).toHaveLength(accounts.length);
    expect(tables.get('customer')!.rows).toBe(new Set(accounts.map((a) => a.customer.id)).size);
  });

  it('formats readings with two decimals and integers in full', () => {
    const out = new AsciiChunk(64);
    for (const v of [0, 5, 12_345, 5_000_000_007, 2 ** 53 - 1]) {
      out.hundredths(v);
      out.byte(32);
    }
    for (const n of [0, 7, 10, 4_294_967_296, 9_007_199_254_740_991]) {
      out.uint(n);
      out.byte(32);
    }
    expect(out.take()).toBe('0.00 0.05 123.45 50000000.07 90071992547409.91 0 7 10 4294967296 9007199254740991 ');
    expect(out.length).toBe(0);
  });
});
