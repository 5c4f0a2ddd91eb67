import { describe, expect, it } from 'vitest';
import { CopyBuffer } from './domain/copy-rows.js';
import { parsePackedMeter } from './packed-reads.js';

describe('parsePackedMeter', () => {
  it('reads a TOU meter with reactive and demand registers, three reads, nulls and the estimated flag', () => {
    const m = parsePackedMeter('42|7|10000|1234567,400000,500000,334567,200000,45050,1|1200000,390000,480000,330000,,|900000,300000,,,,');
    expect(m).toEqual({
      meterId: 42,
      registers: ['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'],
      multiplier: 10000,
      current: { total: 1234567, peak: 400000, flat: 500000, valley: 334567, reactive: 200000, maxDemand: 45050, estimated: true },
      previous: { total: 1200000, peak: 390000, flat: 480000, valley: 330000, reactive: null, maxDemand: null, estimated: false },
      history: { total: 900000, peak: 300000, flat: null, valley: null, reactive: null, maxDemand: null, estimated: false },
    });
  });

  it('reads missing reads as null and shares the register lists', () => {
    const a = parsePackedMeter('1|0|100||5000,,,,,|');
    expect(a).toMatchObject({ meterId: 1, registers: ['total'], multiplier: 100, current: null, history: null });
    expect(a.previous).toMatchObject({ total: 5000, peak: null });
    expect(parsePackedMeter('2|0|100|||').registers).toBe(a.registers);
    expect(parsePackedMeter('3|2|150|-5,,,,,,0||')).toMatchObject({ registers: ['total', 'reactive'], current: { total: -5, estimated: false }, previous: null });
  });
});

describe('CopyBuffer', () => {
  it('collects UTF-8 text in chunks, including text larger than a chunk', () => {
    const b = new CopyBuffer();
    expect(b.empty).toBe(true);
    b.add('1\t电费\n');
    const big = 'x'.repeat(CopyBuffer.SIZE);
    b.add(big);
    b.add('2\tend\n');
    const chunks = b.take();
    expect(Buffer.concat(chunks).toString()).toBe(`1\t电费\n${big}2\tend\n`);
    expect(b.take()).toEqual([]);
  });
});
