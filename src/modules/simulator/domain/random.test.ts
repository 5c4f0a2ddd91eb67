import { describe, expect, it } from 'vitest';
import { cumulate, randFor } from './random.js';

const draws = (seed: number, tag: string, index: number, n = 50) => {
  const rng = randFor(seed, tag, index);
  return Array.from({ length: n }, () => rng.next());
};

describe('randFor', () => {
  it('gives the same stream for the same (seed, tag, index)', () => {
    expect(draws(1, 'reads', 42)).toEqual(draws(1, 'reads', 42));
  });

  it('gives different streams for a different seed, tag or index', () => {
    const base = draws(1, 'reads', 42);
    expect(draws(2, 'reads', 42)).not.toEqual(base);
    expect(draws(1, 'area', 42)).not.toEqual(base);
    expect(draws(1, 'reads', 43)).not.toEqual(base);
    // Seeds beyond 32 bits still count.
    expect(draws(1 + 2 ** 32, 'reads', 42)).not.toEqual(base);
  });

  it('stays within its ranges and is roughly uniform', () => {
    const rng = randFor(7, 'test');
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const n = rng.int(3, 6);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(6);
      sum += x;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
  });

  it('picks by cumulative weight', () => {
    const rng = randFor(3, 'weights');
    const counts = [0, 0, 0];
    const weights = cumulate([1, 2, 7]);
    for (let i = 0; i < 10_000; i++) counts[rng.weightedIndex(weights)]!++;
    expect(counts[0]! / 10_000).toBeCloseTo(0.1, 1);
    expect(counts[2]! / 10_000).toBeCloseTo(0.7, 1);
  });
});
