/** Payments (收费), allocation (销账), penalties (违约金) and approvals: the public surface. */
export { CHANNELS, ONLINE_CHANNELS, clearingBook, isChannel, type Channel, type OnlineChannel } from './domain/channels.js';
export { allocate, type Allocation, type OpenBill } from './domain/allocation.js';
export { accrue, chargeableFen, type PenaltyClass } from './domain/penalty.js';
export { applyPayment, applyPaymentBatch, applyPayments, type ApplyOutcome, type AppliedPayment, type PaymentIntake } from './use-cases/apply-payments.js';
export { accountStatement } from './use-cases/statement.js';
export type { AccountStatement, OpenBill as OpenBillView, Payment as PaymentView } from './payments.types.js';
export { paymentsRoutes } from './payments.routes.js';
export { getStatement, getPayment, receiptNo } from './use-cases/queries.js';
export { lockPrepaidAccountsToIssue, settleFromPrepaid } from './use-cases/settle-prepaid.js';
