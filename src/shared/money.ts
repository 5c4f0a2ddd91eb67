/**
 * Money is integer fen (分) everywhere (DESIGN §4). Printing it as 元 uses integer arithmetic only,
 * never a float holding yuan — the one formatter for commands, documents and exports.
 */

export function checkedFen(fen: number | bigint): bigint {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  return BigInt(fen);
}

/** 17500 → "175.00", -5 → "-0.05"; `grouped` puts thousands separators in: 1234567 → "12,345.67". */
export function yuanOf(fen: number | bigint, opts: { grouped?: boolean } = {}): string {
  const v = checkedFen(fen);
  const abs = v < 0n ? -v : v;
  let whole = (abs / 100n).toString();
  if (opts.grouped) whole = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${v < 0n ? '-' : ''}${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}


const YUAN = /^(0|[1-9][0-9]{0,12})(?:\.([0-9]{1,2}))?$/;

/**
 * A 元 amount as channels and files write it ("12.34", "12.3", "12") → integer fen, exactly: no floats,
 * no more than two decimals, no sign, no exponent, no grouping, at most 13 digits of 元 (a safe integer of fen). Anything else is a RangeError naming it.
 */
export function parseYuan(text: string): number {
  const m = YUAN.exec(text.trim());
  if (!m) throw new RangeError(`not an amount in 元 with at most two decimals: ${JSON.stringify(text)}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
