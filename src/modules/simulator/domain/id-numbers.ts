import { dateOfEpochDay, epochDay } from './calendar.js';
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
// Birth dates 1940-01-01 … 2004-12-31 (adults) × 500 sequence numbers per sex: the slots of one region.
const BORN_FROM = epochDay('1940-01-01');
const BIRTH_DAYS = 23_742;
const SEQUENCES = 500;
const SLOTS = BIRTH_DAYS * SEQUENCES;
// Coprime with SLOTS, so serial → slot is a bijection: two people never share a number, yet
// consecutive customers get unrelated birth dates.
const ID_SCATTER = 7_368_787;

/**
 * The ID number of person `serial` (unique per person, below ~11.8 million): region, birth date,
 * sequence (odd for men, even for women), check character.
 */
export function residentIdNumber(rng: Rand, male: boolean, serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= SLOTS) throw new Error(`ID serial ${serial} out of range`);
  const region = rng.chance(0.8) ? SUNAN : rng.pick(ZHANGYE);
  const slot = (serial * ID_SCATTER) % SLOTS;
  const born = dateOfEpochDay(BORN_FROM + Math.floor(slot / SEQUENCES));
  const seq = (slot % SEQUENCES) * 2 + (male ? 1 : 0);
  const first17 = `${region}${born.slice(0, 4)}${born.slice(5, 7)}${born.slice(8, 10)}${String(seq).padStart(3, '0')}`;
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

// Odd and not a multiple of 5, so serial → organisation code is a bijection on 8 digits: no two share one.
const ORG_SCATTER = 7_654_321;

/** The credit code of organisation `serial` (unique per organisation, below 10^8). */
export function unifiedCreditCode(kind: UsccKind, serial: number): string {
  const body = String((serial * ORG_SCATTER + 13_579_246) % 100_000_000).padStart(8, '0');
  const first17 = `${kind}${SUNAN}${body}${orgCodeCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
}
