/**
 * Money as people read it on a bill: integer fen (分) printed as 元 with integer arithmetic only
 * (DESIGN §4: never a float holding yuan), and the amount in Chinese capitals (人民币大写, shared/capitals.ts).
 */

import { yuanOf } from '../../../shared/money.js';

export { yuanOf };
export { yuanInCapitals } from '../../../shared/capitals.js';

/** The 元 amount as an exact decimal text that reads back as the same number of fen (for spreadsheet cells). */
export function fenOfYuanText(text: string): number {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text.replace(/,/g, ''));
  if (!m) throw new RangeError(`not an amount in 元 with 2 decimals: ${text}`);
  const fen = BigInt(m[2]!) * 100n + BigInt(m[3]!);
  return Number(m[1] ? -fen : fen);
}
