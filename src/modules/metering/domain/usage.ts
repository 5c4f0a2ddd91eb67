import { multiplyDecimal, subtractDecimal } from '../../../shared/decimal.js';

/**
 * Consumption between consecutive reads of one meter, in kWh (kvarh): the register difference times the
 * meter's multiplier (a meter behind current/voltage transformers counts 1/multiplier of the energy). Exact.
 */
export interface Registers {
  total: string;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
}

export interface Usage {
  total: string;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
}

export function usageBetween(previous: Registers, current: Registers, multiplier = '1'): Usage {
  const diff = (a: string | null, b: string | null) => (a == null || b == null ? null : multiplyDecimal(subtractDecimal(a, b), multiplier));
  return {
    total: diff(current.total, previous.total)!,
    peak: diff(current.peak, previous.peak),
    flat: diff(current.flat, previous.flat),
    valley: diff(current.valley, previous.valley),
    reactive: diff(current.reactive, previous.reactive),
  };
}

/**
 * Reads ordered by meter then date → the same reads with the usage since the previous read of the same
 * meter. Reads before `from` only serve as the base of the first usage and are dropped.
 */
export function withUsage<R extends Registers & { meter_id: number; read_on: string; multiplier: string }>(reads: R[], from: string): (R & { usage: Usage | null })[] {
  const out: (R & { usage: Usage | null })[] = [];
  let previous: R | null = null;
  for (const read of reads) {
    const base: R | null = previous && previous.meter_id === read.meter_id ? previous : null;
    if (read.read_on >= from) out.push({ ...read, usage: base ? usageBetween(base, read, read.multiplier) : null });
    previous = read;
  }
  return out;
}
