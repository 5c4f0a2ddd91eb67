import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyLine } from './copy.js';
import { CopyTextBuffer, intArrayLiteral, textArrayLiteral } from './copy-text.js';

describe('CopyTextBuffer', () => {
  it('writes what copyLine writes, row by row', () => {
    const w = new CopyTextBuffer(8); // grows
    w.int(0).int(-42).int(Number.MAX_SAFE_INTEGER).text('ICBC:0001').endRow();
    w.text('余额不足, 账户冻结').text('a\\b\tc\nd\re').nul().intOrNull(null).textOrNull(undefined).bool(true).bool(false).endRow();
    expect(w.bytes().toString('utf8')).toBe(copyLine([0, -42, Number.MAX_SAFE_INTEGER, 'ICBC:0001']) + copyLine(['余额不足, 账户冻结', 'a\\b\tc\nd\re', null, null, null, true, false]));
  });

  it('any integers and strings', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.maxSafeInteger(), fc.string({ unit: 'binary' }))), (rows) => {
        const w = new CopyTextBuffer(1);
        for (const [n, s] of rows) w.int(n).text(s).endRow();
        expect(w.bytes().toString('utf8')).toBe(rows.map(([n, s]) => copyLine([n, s])).join(''));
      }),
    );
  });

  it('refuses what is not a safe integer', () => {
    expect(() => new CopyTextBuffer().int(1.5)).toThrow(RangeError);
  });
});

describe('array literals', () => {
  it('{…} with NULL, quoted and escaped text', () => {
    expect(intArrayLiteral([1, null, -3, 0], (x) => x)).toBe('{1,NULL,-3,0}');
    expect(intArrayLiteral([], (x: number) => x)).toBe('{}');
    expect(textArrayLiteral(['receivable', null, 'a"b\\c', '预收', '2026-11-20'], (x) => x)).toBe('{"receivable",NULL,"a\\"b\\\\c","预收","2026-11-20"}');
  });
});
