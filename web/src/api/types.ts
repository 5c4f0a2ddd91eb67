/**
 * Shapes of the Granary HTTP API (DESIGN §6) as the web UI uses them: the server's schemas' types
 * (src/modules/<m>/<m>.types.ts, imported as types only), and the closed lists the forms offer from the
 * modules' pure domain files. Decimal quantities are strings; convert with Number() only for charts.
 */

import type { Page as ApiPage } from '../../../src/platform/schemas';
import type { BillLinesView, PresentedLine } from '../../../src/modules/tariffs/domain/bill-lines';
import type { AccountSearchQuery } from '../../../src/modules/customers/customers.types';
import type { BillSummary, ExceptionQuery } from '../../../src/modules/billing/billing.types';

export type { Role } from '../../../src/modules/org/domain/roles';
export type { Area, LoginResponse, OrgTree, User } from '../../../src/modules/org/org.types';

export { CATEGORIES, PAYMENT_MODES, type Category, type PaymentMode } from '../../../src/modules/customers/domain/enums';
export type { Account, AccountSummary, Contact, Contract, Meter } from '../../../src/modules/customers/customers.types';
export type { Read, Usage } from '../../../src/modules/metering/metering.types';
export type { BillRun, BillRunException, BillRunProgress, BillRunStatus, BillSummary } from '../../../src/modules/billing/billing.types';
export type { PresentedLine };

export interface Page<T> extends ApiPage<T> {
  /** Not promised by the contract; shown when a server sends it. */
  total?: number;
}

/** The account search's filters the customer search page keeps in its URL. */
export type AccountFilters = Pick<AccountSearchQuery, 'q' | 'stationId' | 'areaId' | 'managerUserId' | 'category' | 'paymentMode'>;

/** The review list's filters (GET /bill-runs/:id/exceptions). */
export type BillRunExceptionFilter = Pick<ExceptionQuery, 'kind' | 'blocking' | 'stationId'>;

/** A bill line with its number on the bill. */
export type BillLineItem = PresentedLine & { lineNo: number };

/**
 * GET /bills/:id (src/modules/billing/billing.lines.ts, which the web cannot type-check): the summary,
 * the lines as the tariffs module presents them, each with its lineNo, and the ids of its adjustments.
 */
export type Bill = BillSummary & Omit<BillLinesView, 'lines'> & { lines: BillLineItem[]; adjustmentIds: number[] };
