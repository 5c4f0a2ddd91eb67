/**
 * How a search text may match phone numbers. A full number (7+ digits) only for roles that may see
 * phones — anyone else could recover a masked number by trying its hidden digits — and every such search
 * is audited and rate-limited; exactly 4 digits match a phone's last four (what every masked number shows).
 */
export type PhoneMatch = 'full' | 'last4' | 'none';

const FULL = /^\+?[0-9]{7,20}$/;
const LAST4 = /^[0-9]{4}$/;

export function isFullPhone(text: string | undefined): boolean {
  return text !== undefined && FULL.test(text.trim());
}

export function phoneMatchOf(text: string, mayUnmaskPhones: boolean): PhoneMatch {
  if (LAST4.test(text)) return 'last4';
  return mayUnmaskPhones && FULL.test(text) ? 'full' : 'none';
}
