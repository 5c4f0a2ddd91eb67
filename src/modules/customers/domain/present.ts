import { maskIdNumber, maskPhone } from '../../../shared/mask.js';
import type { AccountSummaryRow } from '../customers.repository.js';
import type { AccountRow, ContractRow, CustomerRow, MeterRow } from '../../../db/schema.js';
import type { Account, AccountSummary, Contract, Customer, Meter } from '../customers.types.js';
import type { BehaviourProfile, Category, ContactRole, ContractKind, PaymentMode, Register, VoltageLevel } from './enums.js';

/** API shapes. Phones and ID numbers are masked unless `reveal` says the viewer asked and may see them. */
export interface Reveal {
  phone: boolean;
  idNumber: boolean;
}

export const MASKED: Reveal = { phone: false, idNumber: false };

const phoneOf = (p: string | null, r: Reveal) => (r.phone ? p : maskPhone(p));

export function presentSummary(r: AccountSummaryRow): AccountSummary {
  return {
    id: r.id,
    accountNo: r.account_no,
    name: r.name,
    customerId: r.customer_id,
    category: r.category as Category,
    voltageLevel: r.voltage_level as VoltageLevel,
    paymentMode: r.payment_mode as PaymentMode,
    tariffCode: r.tariff_code,
    status: r.status,
    stationId: r.station_id,
    stationName: r.station_name,
    areaId: r.area_id,
    areaName: r.area_name,
    managerName: r.manager_name,
    phone: maskPhone(r.phone),
    meterNo: r.meter_no,
  };
}

export function presentCustomer(c: CustomerRow, r: Reveal, canUnmask: boolean): Customer {
  return {
    id: c.id,
    customerNo: c.customer_no,
    kind: c.kind,
    name: c.name,
    idNumber: r.idNumber ? c.id_number : maskIdNumber(c.id_number),
    phone: phoneOf(c.phone, r),
    address: c.address,
    stationId: c.station_id,
    masked: !(r.phone && r.idNumber),
    canUnmask,
  };
}

export function presentMeter(m: MeterRow): Meter {
  return {
    id: m.id,
    accountId: m.account_id,
    meterNo: m.meter_no,
    registers: m.registers as Register[],
    multiplier: m.multiplier,
    smart: m.smart,
    installedOn: m.installed_on,
    status: m.status,
  };
}

export function presentContract(c: ContractRow): Contract {
  return {
    id: c.id,
    accountId: c.account_id,
    contractNo: c.contract_no,
    kind: c.kind as ContractKind,
    signedOn: c.signed_on,
    startsOn: c.starts_on,
    endsOn: c.ends_on,
    dueDay: c.due_day,
    terms: c.terms,
  };
}

export function presentAccount(
  summary: AccountSummaryRow,
  a: AccountRow,
  parts: { customer: CustomerRow; contacts: { id: number; name: string; phone: string | null; role: string; is_primary: boolean }[]; meters: MeterRow[]; contracts: ContractRow[] },
  reveal: Reveal,
  canUnmask: boolean,
): Account {
  return {
    ...presentSummary(summary),
    phone: phoneOf(summary.phone, reveal),
    address: a.address,
    pfStandard: a.pf_standard,
    capacityKva: a.capacity_kva,
    contractDemandKw: a.contract_demand_kw,
    basicChargeBasis: a.basic_charge_basis,
    agentMultiplier: a.agent_multiplier,
    sharedMeter: a.shared_meter,
    isImportant: a.is_important,
    isMedical: a.is_medical,
    isHeatingCompany: a.is_heating_company,
    isVulnerable: a.is_vulnerable,
    behaviourProfile: a.behaviour_profile as BehaviourProfile | null,
    openedOn: a.opened_on,
    canUnmask,
    masked: !(reveal.phone && reveal.idNumber),
    customer: presentCustomer(parts.customer, reveal, canUnmask),
    contacts: parts.contacts.map((c) => ({ id: c.id, name: c.name, phone: phoneOf(c.phone, reveal), role: c.role as ContactRole, isPrimary: c.is_primary })),
    meters: parts.meters.map(presentMeter),
    contracts: parts.contracts.map(presentContract),
  };
}
