/** Reconciliation (对账): channel statements matched against the ledger. The public surface. */
export { reconciliationRoutes } from './reconciliation.routes.js';
export { registerReconciliationCommands } from './reconciliation.commands.js';
export { importStatement, type ImportInput, type ImportResult } from './use-cases/import-statement.js';
export { resolveItem } from './use-cases/resolve-item.js';
export { reconciliationDays, reconciliationDayItems, type DayReportRow } from './use-cases/queries.js';
export { systemOperator as reconciliationSystemOperator, operatorOf as reconciliationOperatorOf, type Operator as ReconciliationOperator } from './use-cases/operator.js';
export { parseStatement, RECON_CHANNELS, isReconChannel, type ReconChannel, type Statement, type StatementRow } from './domain/statements.js';
export { classify, isException, unexplainedFen, RESOLUTIONS, ITEM_STATUSES, type ItemStatus, type Resolution } from './domain/matching.js';
