import { describe, expect, it } from 'vitest';
import { idCheckChar, isValidIdNumber, isValidUscc, orgCodeCheckChar, residentIdNumber, unifiedCreditCode, usccCheckChar } from './id-numbers.js';
import { mobilePhone } from './names.js';
import { randFor } from './random.js';

describe('resident ID numbers (GB 11643)', () => {
  it('computes the check character of the standard examples', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(idCheckChar('44052418800101001')).toBe('4');
  });

  it('generates valid numbers from Zhangye, mostly Sunan (620721), with the sex in the sequence', () => {
    const rng = randFor(1, 'ids');
    let sunan = 0;
    for (let i = 0; i < 2000; i++) {
      const male = i % 2 === 0;
      const id = residentIdNumber(rng, male, i);
      expect(isValidIdNumber(id), id).toBe(true);
      expect(id).toMatch(/^6207(21|02|22|23|24|25)(19[4-9]\d|200[0-4])(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$/);
      expect(Number(id[16]) % 2).toBe(male ? 1 : 0);
      if (id.startsWith('620721')) sunan++;
    }
    expect(sunan / 2000).toBeGreaterThan(0.7);
  });

  it('never gives two people the same number', () => {
    const rng = randFor(4, 'ids');
    const ids = new Set<string>();
    for (let serial = 0; serial < 200_000; serial++) ids.add(residentIdNumber(rng, serial % 3 === 0, serial).slice(6));
    expect(ids.size).toBe(200_000);
  });

  it('rejects a number with one digit changed', () => {
    const id = residentIdNumber(randFor(2, 'ids'), true, 12_345);
    const changed = id.slice(0, 5) + String((Number(id[5]) + 1) % 10) + id.slice(6);
    expect(isValidIdNumber(changed)).toBe(false);
  });
});

describe('unified social credit codes (GB 32100)', () => {
  it('generates codes whose two check characters hold', () => {
    for (const kind of ['91', '92', '93', '12', '11', '54'] as const) {
      for (let i = 0; i < 200; i++) {
        const code = unifiedCreditCode(kind, i * 7919);
        expect(code.startsWith(`${kind}620721`)).toBe(true);
        expect(isValidUscc(code), code).toBe(true);
      }
    }
  });

  it('agrees with the GB 11714 example, never repeats a code and catches a changed character', () => {
    expect(orgCodeCheckChar('D2143569')).toBe('X');
    const codes = new Set(Array.from({ length: 100_000 }, (_, i) => unifiedCreditCode('91', i)));
    expect(codes.size).toBe(100_000);
    const code = unifiedCreditCode('91', 42);
    const changed = code.slice(0, 10) + (code[10] === '1' ? '2' : '1') + code.slice(11);
    expect(usccCheckChar(changed.slice(0, 17)) === changed[17] && orgCodeCheckChar(changed.slice(8, 16)) === changed[16]).toBe(false);
  });
});

describe('mobile phones', () => {
  it('look like mainland mobile numbers', () => {
    const rng = randFor(1, 'phones');
    for (let i = 0; i < 1000; i++) expect(mobilePhone(rng)).toMatch(/^1[3-9]\d{9}$/);
  });
});
