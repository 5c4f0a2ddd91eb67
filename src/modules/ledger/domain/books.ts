import { AppError } from '../../../shared/errors.js';

/**
 * The ledger's books (ledger accounts). Every entry sits on one customer account (the Citus distribution
 * column) and one book; a company book's balance is the sum over accounts.
 *
 * Per customer account: receivable (应收), prepaid (预收), penalty (违约金应收).
 * Company books: revenue by kind of charge, government funds collected for the government (a payable,
 * not revenue), cash, and one clearing book per payment channel (the payments issue adds those).
 */
export const CUSTOMER_BOOKS = ['receivable', 'prepaid', 'penalty'] as const;
export type CustomerBook = (typeof CUSTOMER_BOOKS)[number];

/** Book names as the ledger_entry check constraint allows them. */
export const BOOK_PATTERN = /^(receivable|prepaid|penalty|cash|(revenue|payable|clearing|expense)\.[a-z_]+)$/;

export function isBook(name: string): boolean {
  return BOOK_PATTERN.test(name);
}

/**
 * Which book a bill line's amount is credited to, by the line code's first segment (the engine's codes:
 * energy, energy.tier1, energy.peak …, basic.capacity, basic.demand(.excess), pf.adjustment, funds).
 * A code not listed here is refused, in TypeScript and in SQL alike — money never lands in a guessed book.
 */
export const LINE_BOOKS: readonly { segment: string; book: string }[] = [
  { segment: 'energy', book: 'revenue.energy' },
  { segment: 'basic', book: 'revenue.basic' },
  { segment: 'pf', book: 'revenue.pf' },
  { segment: 'funds', book: 'payable.funds' },
];

export function bookOfLine(code: string): string {
  const segment = code.split('.', 1)[0]!;
  const found = LINE_BOOKS.find((b) => b.segment === segment);
  if (!found) throw new AppError('VALIDATION', `bill line code ${code} has no ledger book`, { errors: [{ field: 'code', message: `no ledger book for ${code}` }] });
  return found.book;
}

/**
 * The same mapping as a SQL expression over a column of line codes (for set-based posting). Unknown codes
 * give NULL, which the NOT NULL book column refuses, failing the whole statement.
 */
export function lineBookSql(column: string): string {
  if (!/^[a-z_][a-z0-9_.]*$/.test(column)) throw new Error(`not a column reference: ${column}`);
  const whens = LINE_BOOKS.map((b) => `when split_part(${column}, '.', 1) = '${b.segment}' then '${b.book}'`).join(' ');
  return `(case ${whens} end)`;
}
