/** The ledger's public surface (DESIGN §5): books, balanced transfers, posting, and the invariant check. */
export { BOOK_PATTERN, CUSTOMER_BOOKS, LINE_BOOKS, bookOfLine, isBook, lineBookSql } from './domain/books.js';
export { assertBalanced, billTransfer, creditToPrepaidTransfer, BILL_TRANSFER_KIND, type BillForPosting, type Entry, type TransferDraft } from './domain/transfer.js';
export {
  accountsInCredit,
  accountsOwing,
  prepaidBalances,
  appendEvents,
  balanceOf,
  balancesOf,
  balancesOfBook,
  copyPostings,
  entriesPostingCtes,
  EVENT_LOCK,
  eventsAfter,
  latestEventSeq,
  NEXT_TRANSFER_ID,
  nextTransferIds,
  postingCtes,
  transfersFor,
  type PostingEntry,
  type PostingTransfer,
} from './ledger.repository.js';
export { EVENT_KINDS, eventRefsOf, type EventKind, type EventRef } from './domain/events.js';
export type { AccountEvent } from './ledger.types.js';
export { postTransfer } from './use-cases/post-transfer.js';
export { checkLedger, type LedgerReport, type Violation } from './use-cases/check-ledger.js';
export { registerLedgerCommands } from './ledger.commands.js';
export { ledgerRoutes } from './ledger.routes.js';
export { consumeEvents, readEvents, subscribeEvents, type EventConsumer, type Subscription } from './use-cases/events.js';
