/** The simulator's public surface: the demo county (its command is `cli/demo.ts`). */
import type { Db } from '../../db/connect.js';
import { databaseIsEmpty, dropApplicationSchema, listLogins } from './simulator.repository.js';

export { createDemoCounty, DEMO_PASSWORD, MAX_DEMO_ACCOUNTS, type CreateDemoOptions, type DemoProgress, type DemoSummary } from './use-cases/create-demo-county.js';
export { databaseIsEmpty, dropApplicationSchema };
export {
  PAYMENT_HISTORY_KEY,
  accountIdBounds,
  accountsPaidBetween,
  demoSeedOf,
  historyAccounts,
  historyBills,
  historyPaymentsExist,
  historyStates,
  insertPaidOrders,
  issuedHistoryPeriods,
  markPaymentHistoryChunk,
  penaltyMinimumSettings,
  readPaymentHistoryMarker,
  reserveOrderIds,
  stationCashiers,
  tuneBatchTransaction,
  writePaymentHistoryMarker,
  type PaidOrder,
} from './simulator.repository.js';
export {
  historyOutTradeNo,
  MAX_LAG_DAYS,
  minimumLookup,
  onlineShare,
  planAccountPayments,
  planAccountWindow,
  type AccountState,
  type HistoryAccount,
  type HistoryBill,
  type PlannedPayment,
} from './domain/payment-behaviour.js';

/** Who can sign in: admin first, then the company roles, then each station's head, cashier and area managers. */
export function demoLogins(db: Db): Promise<{ username: string; role: string; orgUnit: string }[]> {
  return listLogins(db);
}
