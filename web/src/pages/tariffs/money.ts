/** Integer fen → "1,234.56" 元, exactly (string arithmetic; never a float holding yuan). */
export function yuan(fen: number, opts: { sign?: boolean } = {}): string {
  const negative = fen < 0;
  const digits = String(Math.abs(Math.trunc(fen))).padStart(3, '0');
  const int = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = negative ? '-' : opts.sign && fen > 0 ? '+' : '';
  return `${sign}${int}.${digits.slice(-2)}`;
}

/** A percentage string from the API ("1.85") with its sign and unit; null → "—". */
export function percent(p: string | null, sign = true): string {
  if (p === null) return '—';
  return `${sign && !p.startsWith('-') && p !== '0.00' ? '+' : ''}${p}%`;
}
