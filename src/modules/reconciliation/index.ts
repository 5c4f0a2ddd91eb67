/** Reconciliation (对账): channel statements matched against the ledger. The public surface. */
export { reconciliationRoutes } from './reconciliation.routes.js';
export { registerReconciliationCommands } from './reconciliation.commands.js';
export {
  readStatement,
  openImport,
  channelOnlyRows,
  recordChannelOnly,
  closeImport,
  type ImportInput,
  type StatementFile,
  type StatementPayment,
  type PaymentOutcome,
} from './use-cases/import-statement.js';
export { itemToResolve, heldPaymentOf, attachHeldPayment, recordResolution } from './use-cases/resolve-item.js';
export type { ReconciliationFlows } from './use-cases/flows.js';
export type { DayRow as DayReportRow, ImportResult, ReconItem as ItemJson, ResolveInput as Resolving } from './reconciliation.types.js';
export { reconciliationDays, reconciliationDayItems } from './use-cases/queries.js';
export { systemOperator as reconciliationSystemOperator, operatorOf as reconciliationOperatorOf, type Operator as ReconciliationOperator } from './use-cases/operator.js';
export { parseStatement, RECON_CHANNELS, isReconChannel, type ReconChannel, type Statement, type StatementRow } from './domain/statements.js';
export { classify, isException, unexplainedFen, RESOLUTIONS, ITEM_STATUSES, type ItemStatus, type Resolution } from './domain/matching.js';
