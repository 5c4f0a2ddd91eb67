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

