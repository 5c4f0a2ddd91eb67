/**
 * Shapes of the Granary HTTP API (DESIGN §6) as the web UI uses them.
 * Decimal quantities are strings; convert with Number() only for charts.
 */

export const ROLES = ['admin', 'company_manager', 'marketing', 'station_head', 'area_manager', 'cashier', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

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
