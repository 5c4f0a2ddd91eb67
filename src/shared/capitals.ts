/**
 * 人民币大写: an amount in fen written in Chinese capitals, as Chinese bills and receipts print it. One
 * file for the server (the PDF bill, reports) and the web UI (the counter's confirmation, receipts), so
 * both write an amount alike: it imports only money.ts (no I/O either), and the web app takes it from here.
 */

import { checkedFen } from './money.js';

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const PLACES = ['', '拾', '佰', '仟'] as const;
/** Units of each group of four digits, from the lowest: 万 = 10⁴, 亿 = 10⁸, 万亿 = 10¹². */
const GROUPS = ['', '万', '亿', '万亿'] as const;

/** A whole number of 元 in capitals: 10 → 壹拾, 1005 → 壹仟零伍, 100010 → 壹拾万零壹拾. */
function wholeInCapitals(n: bigint): string {
  if (n === 0n) return '';
  const groups: number[] = [];
  for (let rest = n; rest > 0n; rest /= 10000n) groups.push(Number(rest % 10000n));
  if (groups.length > GROUPS.length) throw new RangeError('amount too large to write in capitals');
  let out = '';
  // a 零 is owed when zeros stand between two written digits (inside a group or across groups)
  let zeroOwed = false;
  for (let g = groups.length - 1; g >= 0; g--) {
    const group = groups[g]!;
    if (group === 0) {
      if (out) zeroOwed = true;
      continue;
    }
    for (let place = 3; place >= 0; place--) {
      const digit = Math.floor(group / 10 ** place) % 10;
      if (digit === 0) {
        if (out) zeroOwed = true;
        continue;
      }
      if (zeroOwed) out += '零';
      zeroOwed = false;
      out += DIGITS[digit]! + PLACES[place]!;
    }
    out += GROUPS[g]!;
  }
  return out;
}

/**
 * 人民币大写 of an amount in fen: 17500 → 壹佰柒拾伍元整, 12721 → 壹佰贰拾柒元贰角壹分,
 * 168032 → 壹仟陆佰捌拾元零叁角贰分, 5 → 伍分, 0 → 零元整, -1336 → 负壹拾叁元叁角陆分.
 * Follows the usual rules for written amounts: 整 after 元 when there are no 角 and 分; one 零 for a
 * run of zeros between digits; 零 before 角/分 when the 元 digit (or the 角) is zero.
 */
export function yuanInCapitals(fen: number | bigint): string {
  const v = checkedFen(fen);
  const abs = v < 0n ? -v : v;
  const sign = v < 0n ? '负' : '';
  const whole = abs / 100n;
  const jiao = Number((abs / 10n) % 10n);
  const fenDigit = Number(abs % 10n);
  if (abs === 0n) return '零元整';
  let out = whole > 0n ? `${wholeInCapitals(whole)}元` : '';
  if (jiao === 0 && fenDigit === 0) return `${sign}${out}整`;
  if (jiao > 0) {
    if (whole > 0n && whole % 10n === 0n) out += '零';
    out += `${DIGITS[jiao]}角`;
  } else if (whole > 0n) {
    out += '零';
  }
  if (fenDigit > 0) out += `${DIGITS[fenDigit]}分`;
  return sign + out;
}
