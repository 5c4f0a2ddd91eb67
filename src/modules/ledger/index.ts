/** The ledger's public surface (DESIGN §5): books, balanced transfers, posting, and the invariant check. */
export { BOOK_PATTERN, CUSTOMER_BOOKS, LINE_BOOKS, bookOfLine, isBook, lineBookSql } from './domain/books.js';
export { assertBalanced, billTransfer, BILL_TRANSFER_KIND, type BillForPosting, type Entry, type TransferDraft } from './domain/transfer.js';
export { balancesOf, insertTransfersFrom, postingCtes, transfersFor, type SetPosting, type SetPostingResult } from './ledger.repository.js';
export { postTransfer } from './use-cases/post-transfer.js';
export { checkLedger, type LedgerReport, type Violation } from './use-cases/check-ledger.js';
export { registerLedgerCommands } from './ledger.commands.js';
