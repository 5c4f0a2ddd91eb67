/** The billing module's public surface: bill runs (电费发行), bills, corrections (退补). */
export { billingRoutes } from './billing.routes.js';
export { registerBillingCommands } from './billing.commands.js';
export { startBillRun } from './use-cases/start-bill-run.js';
export { driveBillRun, DEFAULT_BATCH_SIZE, DEFAULT_ISSUE_BATCH_SIZE, type BillingFlows, type DriveDeps, type DriveOptions } from './use-cases/drive-bill-run.js';
export { approveBillRun, startIssue } from './use-cases/review-bill-run.js';
export { createAdjustment } from './use-cases/create-adjustment.js';
export type { AdjustmentInput } from './billing.lines.js';
export { BillRunner } from './use-cases/runner.js';
export { systemOperator, type Operator } from './use-cases/operator.js';
export { loadRatingTariffs, type RatingTariffs } from './use-cases/tariff-source.js';
export { billAccount, type AccountForBilling, type BillDraft } from './domain/assemble.js';
export { DEFAULT_READ_POLICY, type ReadPolicy } from './domain/reads.js';
export { dueDate, DEFAULT_DUE_POLICY } from './domain/due-date.js';
export type { BillRunRow, PrepaidAtIssue } from './billing.repository.js';
export { issuedRegularBills, type IssuedBill } from './use-cases/issued-bills.js';
