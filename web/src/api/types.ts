/**
 * Shapes of the Granary HTTP API (DESIGN §6) as the web UI uses them.
 * Decimal quantities are strings; convert with Number() only for charts.
 */

import type { Role } from '../../../src/modules/org/domain/roles';
export type { Role };

export const CATEGORIES = ['residential', 'commercial', 'large_industry', 'agriculture', 'public', 'heating'] as const;
export type Category = (typeof CATEGORIES)[number];

export const PAYMENT_MODES = ['postpaid', 'smart_prepaid', 'purchase_before_use'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: number;
  orgUnitName: string;
  orgUnitNameEn: string | null;
  companyId: number;
  stationId: number | null;
  phone: string | null;
  status: string;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: User;
}

export interface Area {
  id: number;
  code: string;
  name: string;
  stationId: number;
  managerUserId: number | null;
  managerName: string | null;
  capacityKva: string | null;
}

export interface OrgTree {
  company: { id: number; code: string; name: string; nameEn: string | null };
  stations: Array<{
    id: number;
    code: string;
    name: string;
    nameEn: string | null;
    managers: Array<{ userId: number | null; name: string | null; areas: Area[] }>;
  }>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** Not promised by the contract; shown when a server sends it. */
  total?: number;
}

export interface AccountSummary {
  id: number;
  accountNo: string;
  name: string;
  customerId: number;
  category: Category;
  voltageLevel: string;
  paymentMode: PaymentMode;
  tariffCode: string;
  status: string;
  stationId: number;
  stationName: string;
  areaId: number;
  areaName: string;
  managerName: string | null;
  phone: string | null;
  meterNo: string | null;
}

export interface Contact {
  id: number;
  name: string;
  phone: string | null;
  role: string;
  isPrimary: boolean;
}

export interface Meter {
  id: number;
  meterNo: string;
  registers: string[];
  multiplier: string | number;
  smart: boolean;
  installedOn: string;
  status: string;
}

export interface Contract {
  id: number;
  contractNo: string;
  kind: string;
  signedOn: string;
  startsOn: string;
  endsOn: string | null;
  dueDay: number | null;
  terms: unknown;
}

export interface Account extends AccountSummary {
  address: string | null;
  pfStandard: string | null;
  capacityKva: string | null;
  contractDemandKw: string | null;
  basicChargeBasis: string | null;
  agentMultiplier: string;
  sharedMeter: boolean;
  isImportant: boolean;
  isMedical: boolean;
  isHeatingCompany: boolean;
  isVulnerable: boolean;
  behaviourProfile: string | null;
  openedOn: string;
  canUnmask: boolean;
  masked: boolean;
  customer: {
    id: number;
    customerNo: string;
    kind: 'person' | 'organisation';
    name: string;
    idNumber: string | null;
    phone: string | null;
    address: string | null;
  };
  contacts: Contact[];
  meters: Meter[];
  contracts: Contract[];
}

export interface Usage {
  total: string | null;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
}

export interface Read {
  meterId: number;
  meterNo: string;
  period: string | null;
  readOn: string;
  total: string | null;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
  maxDemand: string | null;
  estimated: boolean;
  usage: Usage | null;
}

export interface AccountFilters {
  q?: string;
  stationId?: number;
  areaId?: number;
  managerUserId?: number;
  category?: Category;
  paymentMode?: PaymentMode;
}

// ——— Billing (电费发行, 电费账单): src/modules/billing/billing.types.ts ———

export const BILL_RUN_STATUSES = ['rating', 'review', 'approved', 'issuing', 'issued', 'failed'] as const;
export type BillRunStatus = (typeof BILL_RUN_STATUSES)[number];

export interface BillRunProgress {
  phase: 'rating' | 'issuing' | null;
  done: number;
  total: number;
  percent: number;
  perSecond: number | null;
  /** Seconds left at the speed of the phase so far; null until the speed is known. */
  etaSeconds: number | null;
}

export interface BillRun {
  id: number;
  period: string;
  status: BillRunStatus;
  /** The phase a failed run failed in (starting it again resumes there). */
  failedStatus: string | null;
  error: string | null;
  progress: BillRunProgress;
  counts: {
    accountsTotal: number;
    accountsDone: number;
    bills: number;
    lines: number;
    exceptions: number;
    /** Accounts with no bill in this run. */
    blockingExceptions: number;
    issuedBills: number;
  };
  /** Sum of the bills rated. */
  totalFen: number;
  /** Sum of the bills issued (posted to receivable). */
  issuedFen: number;
  issueDate: string | null;
  createdAt: string | null;
  ratedAt: string | null;
  approvedBy: number | null;
  approvedAt: string | null;
  approvalNote: string | null;
  issueStartedAt: string | null;
  issuedAt: string | null;
  timings: { ratingSeconds?: number; issueSeconds?: number; [k: string]: unknown };
  /** Only on GET /bill-runs/:id (and the answers of its POSTs). */
  exceptionsByKind?: Array<{ kind: string; blocking: boolean; count: number }>;
}

export interface BillRunException {
  id: number;
  accountId: number;
  accountNo: string;
  accountName: string;
  stationId: number;
  areaId: number;
  billId: number | null;
  kind: string;
  /** True: the account has no bill in this run. */
  blocking: boolean;
  detail: { message?: string; [k: string]: unknown };
  resolved: boolean;
}

export interface BillRunExceptionFilter {
  kind?: string;
  blocking?: boolean;
  stationId?: number;
}

export interface BillSummary {
  id: number;
  accountId: number;
  period: string;
  billRunId: number | null;
  kind: 'regular' | 'adjustment';
  status: 'draft' | 'issued';
  tariffCode: string;
  tariffEffectiveFrom: string | null;
  totalFen: number;
  usage: { kwh: string | null; peakKwh: string | null; flatKwh: string | null; valleyKwh: string | null; kvarh: string | null; maxDemandKw: string | null; days: number | null };
  flags: { estimated: boolean; outlier: boolean; rollover: boolean };
  createdAt: string | null;
  issuedAt: string | null;
  dueOn: string | null;
  adjustsBillId: number | null;
  reason: string | null;
}

/** A bill line as the API presents it (tariffs' presentBillLines): quantity × unitPrice × factor (÷ 100 for %) = amount. */
export interface PresentedLine {
  code: string;
  kind: 'energy' | 'basic' | 'pf' | 'funds' | 'other';
  quantity: string;
  /** kWh, kVA, kW, or 元 (the power-factor line's base) */
  unit: string;
  /** 元 per unit, or the power-factor line's signed percentage */
  unitPrice: string;
  /** 元/kWh, 元/kVA·月, 元/kW·月 or % */
  priceUnit: string;
  /** a part month: days / days per month */
  factor: { num: number; den: number; text: string } | null;
  amountFen: number;
  detail: Record<string, unknown>;
}

export interface BillLineItem extends PresentedLine {
  lineNo: number;
}

export interface Bill extends BillSummary {
  lines: BillLineItem[];
  subtotals: { kind: PresentedLine['kind']; amountFen: number }[];
  /** the energy lines' kWh */
  kwh: string;
  /** total ÷ kWh, 元/kWh; null without energy */
  averagePrice: string | null;
  adjustmentIds: number[];
}
