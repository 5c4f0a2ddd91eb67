import type { Rand } from './random.js';

/**
 * Identity numbers that pass the real checks, so validation code written later can be tried on demo data:
 * the resident ID number (GB 11643, ISO 7064 MOD 11-2) and the unified social credit code (GB 32100).
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** The 18th character of a resident ID number from its first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] as string;
}

export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckChar(id.slice(0, 17)) === id[17];
}

// 620721 is Sunan; the other Zhangye counties appear for people born elsewhere in the prefecture.
const SUNAN = '620721';
const ZHANGYE = ['620702', '620722', '620723', '620724', '620725'] as const;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** An adult's ID number: region, birth date, sequence (odd for men, even for women), check character. */
export function residentIdNumber(rng: Rand, male: boolean, bornFrom = 1940, bornTo = 2004): string {
  const region = rng.chance(0.8) ? SUNAN : rng.pick(ZHANGYE);
  const year = rng.int(bornFrom, bornTo);
  const month = rng.int(1, 12);
  const day = rng.int(1, DAYS_IN_MONTH[month - 1] as number);
  const seq = rng.int(0, 499) * 2 + (male ? 1 : 0);
  const first17 = `${region}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

// GB 32100 uses 31 characters: digits and capitals without I, O, S, V, Z.
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 organisation code check character over 8 characters (digits and capitals, A = 10). */
export function orgCodeCheckChar(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(body8[i] as string, 36) * (ORG_CODE_WEIGHTS[i] as number);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i] as string) * (USCC_WEIGHTS[i] as number);
  return USCC_CHARS[(31 - (sum % 31)) % 31] as string;
}

export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17] && orgCodeCheckChar(code.slice(8, 16)) === code[16];
}

/** Registration authority + type: 91 enterprise, 92 sole trader, 93 farmers' co-operative, 12 public institution, 11 government, 54 village committee. */
export type UsccKind = '91' | '92' | '93' | '12' | '11' | '54';

export function unifiedCreditCode(rng: Rand, kind: UsccKind): string {
  let body = '';
  // Most organisation codes are digits; some newer ones carry letters (only those valid in both standards).
  for (let i = 0; i < 8; i++) body += rng.chance(0.85) ? String(rng.int(0, 9)) : rng.pick(['M', 'A', 'C', 'D', 'E', 'F', 'G', 'H'] as const);
  const first17 = `${kind}${SUNAN}${body}${orgCodeCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
}
