import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Deterministic randomness for the demo county. Every stream is keyed by (seed, tag, index), so a
 * stream can be regenerated on its own: each COPY pass walks the county again and gets the same
 * accounts, and an account's reads do not depend on how many accounts came before it.
 */

/** murmur3's 32-bit finaliser: spreads nearby integers (seed 1, 2, 3…) over the whole state space. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

const TWO_POW_32 = 4294967296;

/** A small, fast random source over pure-rand's xoroshiro128+ (mutated in place: no object per draw). */
export class Rand {
  constructor(private readonly gen: RandomGenerator) {}

  /** Uniform in [0, 1) with 32 bits of resolution — plenty for a simulation, and one generator step. */
  next(): number {
    return (this.gen.next() >>> 0) / TWO_POW_32;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform real in [min, max). */
  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** Log-uniform in [min, max): small values as likely per octave as large ones (sizes of things). */
  logRange(min: number, max: number): number {
    return min * Math.exp(this.next() * Math.log(max / min));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Index drawn from cumulative weights (ascending, last = total). */
  weightedIndex(cumulative: readonly number[]): number {
    const x = this.next() * (cumulative[cumulative.length - 1] as number);
    for (let i = 0; i < cumulative.length; i++) if (x < (cumulative[i] as number)) return i;
    return cumulative.length - 1;
  }

  /** Roughly normal (sum of four uniforms): cheap and bounded at ±2√3·sd, which suits meter noise. */
  normal(mean: number, sd: number): number {
    const s = this.next() + this.next() + this.next() + this.next() - 2;
    return mean + s * sd * 1.7320508075688772;
  }
}

/** The random stream for (seed, tag, index). Four hashed words make the full 128-bit state. */
export function randFor(seed: number, tag: string, index = 0): Rand {
  const a = fmix32(seed ^ 0x9e3779b9) ^ fmix32(Math.floor(seed / TWO_POW_32) + 0x632be5ab);
  const b = fmix32(hashText(tag) ^ a);
  const c = fmix32(index ^ b);
  const d = fmix32(Math.floor(index / TWO_POW_32) ^ c ^ 0x7f4a7c15);
  // xoroshiro must not start from an all-zero state.
  const state = a | b | c | d ? [a, b, c, d] : [1, 2, 3, 4];
  return new Rand(xoroshiro128plusFromState(state));
}

/** Cumulative weights for Rand.weightedIndex. */
export function cumulate(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}
