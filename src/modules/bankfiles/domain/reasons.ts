/**
 * Why a debit line was not posted. A closed list: the result file and the API give the code, followed by
 * ": <detail>" where there is one (the bank's own message for a failed debit, the offending text, the
 * payment that already carries the transaction id).
 *
 * The first group is decided line by line while the file is read (`checkLine`); the second needs the
 * database and is decided set-based for the whole file (staging); the last comes from the payments
 * core at posting time (another import applied the same transaction in the meantime).
 */
export const REJECT_REASONS = {
  // read from the line alone
  bad_line: 'the line does not have the columns of the header, or has an unclosed quote or a NUL character',
  bad_status: 'status is neither S (debited) nor F (failed)',
  bank_failed: 'the bank could not debit the account; its message follows',
  missing_txn_id: 'bank_txn_id is empty',
  bad_txn_id: 'bank_txn_id is longer than 64 characters or holds spaces or characters other than printable ASCII',
  missing_account_no: 'account_no is empty',
  bad_amount: 'amount is not a positive amount in 元 with at most two decimals',
  bad_date: 'debit_date is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)',
  future_date: 'debit_date is later than the day of the import',
  // against the database, set-based
  duplicate_in_file: 'the same bank_txn_id is on an earlier line of this file',
  already_applied: 'a payment with this bank_txn_id was applied before (an earlier file), same account and amount',
  txn_conflict: 'a payment with this bank_txn_id was applied before with another account or amount',
  unknown_account: 'no account with this number in the company',
  closed_account: 'the account is closed',
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;

export const REJECT_REASON_CODES = Object.keys(REJECT_REASONS) as RejectReason[];

/** "code" or "code: detail", the form stored in bank_batch_line.reason. */
export function reasonText(code: RejectReason, detail?: string | null): string {
  return detail ? `${code}: ${detail}` : code;
}

/** The code of a stored reason ("bank_failed: 余额不足" → "bank_failed"). */
export function reasonCode(text: string): string {
  const i = text.indexOf(':');
  return i < 0 ? text : text.slice(0, i);
}
