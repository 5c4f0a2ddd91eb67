import { AppError } from '../../../shared/errors.js';
import { bookOfLine, isBook } from './books.js';

/** One entry: debit positive, credit negative, integer fen. */
export interface Entry {
  book: string;
  amountFen: number;
}

/** A balanced transfer ready to post: all its entries on one customer account. */
export interface TransferDraft {
  accountId: number;
  kind: string;
  refType: string;
  refId: number;
  businessDate: string;
  memo: string | null;
  entries: Entry[];
}

export interface BillForPosting {
  accountId: number;
  billId: number;
  kind: 'regular' | 'adjustment';
  totalFen: number;
  lines: readonly { code: string; amountFen: number }[];
}

export const BILL_TRANSFER_KIND = { regular: 'bill.issue', adjustment: 'bill.adjustment' } as const;

/**
 * The transfer that issues a bill: receivable debited with the bill total, each revenue/funds book
 * credited with its lines (a negative adjustment does the opposite: receivable is credited). Lines are
 * summed per book; books that net to zero get no entry. Null when nothing moves (a zero bill).
 * Refuses a bill whose total is not the sum of its lines — that transfer could not balance.
 */
export function billTransfer(bill: BillForPosting, businessDate: string, memo: string | null = null): TransferDraft | null {
  let sum = 0;
  const byBook = new Map<string, number>();
  for (const line of bill.lines) {
    checkFen(line.amountFen, `line ${line.code}`);
    sum += line.amountFen;
    const book = bookOfLine(line.code);
    byBook.set(book, (byBook.get(book) ?? 0) - line.amountFen);
  }
  checkFen(bill.totalFen, 'bill total');
  if (sum !== bill.totalFen) throw unbalanced(`bill ${bill.billId}: total ${bill.totalFen} fen is not the sum of its lines (${sum} fen)`);
  const entries: Entry[] = [];
  if (bill.totalFen !== 0) entries.push({ book: 'receivable', amountFen: bill.totalFen });
  for (const [book, amountFen] of byBook) if (amountFen !== 0) entries.push({ book, amountFen });
  if (entries.length === 0) return null;
  const draft: TransferDraft = { accountId: bill.accountId, kind: BILL_TRANSFER_KIND[bill.kind], refType: 'bill', refId: bill.billId, businessDate, memo, entries };
  assertBalanced(draft);
  return draft;
}

/**
 * A credit left on receivable — an overpayment that a negative adjustment uncovered — moved to prepaid,
 * where the next bill or a refund takes it: receivable debited, prepaid credited.
 */
export function creditToPrepaidTransfer(accountId: number, refType: string, refId: number, businessDate: string, creditFen: number): TransferDraft {
  const draft: TransferDraft = { accountId, kind: 'prepaid.credit', refType, refId, businessDate, memo: null, entries: [{ book: 'receivable', amountFen: creditFen }, { book: 'prepaid', amountFen: -creditFen }] };
  assertBalanced(draft);
  return draft;
}

/** I1 and I5 for one transfer: integer fen, non-zero entries, one entry per book, Σ = 0, at least two entries. */
export function assertBalanced(t: TransferDraft): void {
  const seen = new Set<string>();
  let sum = 0;
  for (const e of t.entries) {
    if (!isBook(e.book)) throw unbalanced(`transfer ${t.kind} ${t.refType} ${t.refId}: ${e.book} is not a book`);
    if (seen.has(e.book)) throw unbalanced(`transfer ${t.kind} ${t.refType} ${t.refId}: two entries on ${e.book}`);
    seen.add(e.book);
    checkFen(e.amountFen, `entry on ${e.book}`);
    if (e.amountFen === 0) throw unbalanced(`transfer ${t.kind} ${t.refType} ${t.refId}: zero entry on ${e.book}`);
    sum += e.amountFen;
  }
  if (t.entries.length < 2) throw unbalanced(`transfer ${t.kind} ${t.refType} ${t.refId}: needs at least two entries`);
  if (sum !== 0) throw unbalanced(`transfer ${t.kind} ${t.refType} ${t.refId} does not balance: entries sum to ${sum} fen`);
}

function checkFen(v: number, what: string): void {
  if (!Number.isSafeInteger(v)) throw unbalanced(`${what}: ${v} is not a whole number of fen`);
}

function unbalanced(message: string): AppError {
  return new AppError('VALIDATION', message, { errors: [{ field: 'entries', message }] });
}
