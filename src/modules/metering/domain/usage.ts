import { subtractDecimal } from '../../../shared/decimal.js';

/** Consumption between consecutive reads of one meter: register differences, exact to 0.01 kWh. */
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

const diff = (a: string | null, b: string | null) => (a == null || b == null ? null : subtractDecimal(a, b));

export function usageBetween(previous: Registers, current: Registers): Usage {
  return {
    total: subtractDecimal(current.total, previous.total),
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
export function withUsage<R extends Registers & { meter_id: number; read_on: string }>(reads: R[], from: string): (R & { usage: Usage | null })[] {
  const out: (R & { usage: Usage | null })[] = [];
  let previous: R | null = null;
  for (const read of reads) {
    const base: R | null = previous && previous.meter_id === read.meter_id ? previous : null;
    if (read.read_on >= from) out.push({ ...read, usage: base ? usageBetween(base, read) : null });
    previous = read;
  }
  return out;
}
