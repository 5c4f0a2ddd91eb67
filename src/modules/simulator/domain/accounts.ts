import type { DemoCalendar } from './calendar.js';
import { dateOfEpochDay, epochDay } from './calendar.js';
import { COMPANY, DRAWN_CATEGORIES, type AreaPlan, type Category, type CountyPlan, type StationPlan } from './county.js';
import { residentIdNumber, unifiedCreditCode, type UsccKind } from './id-numbers.js';
import {
  addressIn,
  cooperativeName,
  HEATING_FIRMS,
  industryName,
  mobilePhone,
  personName,
  publicName,
  shopName,
  wellName,
  type IndustryKind,
  type PublicKind,
} from './names.js';
import { cumulate, randFor, type Rand } from './random.js';

/**
 * Customers and accounts of the demo county, generated area by area from the seed. The walk is cheap
 * and deterministic, so each COPY pass (customers, accounts, contacts, meters, contracts, reads) walks
 * it again instead of holding a million accounts in memory.
 */

export type PaymentMode = 'postpaid' | 'smart_prepaid' | 'purchase_before_use';
export type Behaviour = 'prompt' | 'late_but_pays' | 'chronic_late' | 'defaulting' | 'disputing';
export type Voltage = '0.22kV' | '0.4kV' | '10kV';
export type ContactRole = 'owner' | 'payer' | 'electrician' | 'finance' | 'other';
export type ContractKind = 'supply' | 'split_settlement' | 'purchase_before_use' | 'prepaid_agreement';

/** Register sets a meter can have (index into REGISTER_SETS). */
export const REGISTER_SETS = [
  ['total'],
  ['total', 'peak', 'flat', 'valley'],
  ['total', 'peak', 'flat', 'valley', 'reactive'],
  ['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'],
] as const;
export const TOTAL_ONLY = 0;
export const TOU = 1;
export const TOU_REACTIVE = 2;
export const TOU_REACTIVE_DEMAND = 3;

/** Seasonal shapes of monthly usage (see reads.ts). */
export const Season = {
  Household: 0,
  HeatedHousehold: 1,
  Commerce: 2,
  Irrigation: 3,
  DistrictHeating: 4,
  Industry: 5,
  School: 6,
  Steady: 7,
} as const;
export type Season = (typeof Season)[keyof typeof Season];

export interface UsageModel {
  /** Mean monthly active energy over a year, kWh (primary side, i.e. after the meter multiplier). */
  baseKwh: number;
  season: Season;
  /** Shares of the month's kWh on the peak and valley registers (flat takes the rest); 0 without TOU. */
  peakShare: number;
  valleyShare: number;
  /** Typical monthly power factor; reactive energy follows from it. */
  pfBase: number;
  /** Monthly load factor: max demand = kWh / (hours × load factor). */
  loadFactor: number;
  /** Year-on-year growth of usage. */
  growth: number;
}

export interface ContactProfile {
  name: string;
  phone: string;
  role: ContactRole;
  isPrimary: boolean;
}

export interface ContractProfile {
  kind: ContractKind;
  contractNo: string;
  signedOn: string;
  startsOn: string;
  endsOn: string | null;
  dueDay: number | null;
  terms: Record<string, unknown>;
}

export interface CustomerProfile {
  id: number;
  customerNo: string;
  kind: 'person' | 'organisation';
  name: string;
  idNumber: string;
  phone: string;
  address: string;
  stationId: number;
  /** The person behind the customer: the householder, or an organisation's legal representative. */
  ownerName: string;
  /** An organisation's finance, payer and electrician contacts, shared by its accounts. */
  staff: ContactProfile[];
}

export interface AccountProfile {
  id: number;
  accountNo: string;
  customer: CustomerProfile;
  /** The first (or only) account of its customer: the customer row is written with it. */
  firstOfCustomer: boolean;
  companyId: number;
  stationId: number;
  areaId: number;
  name: string;
  address: string;
  category: Category;
  voltage: Voltage;
  paymentMode: PaymentMode;
  tariff: string;
  pfStandard: '0.80' | '0.85' | '0.90' | null;
  capacityKva: number;
  contractDemandKw: number | null;
  basis: 'capacity' | 'demand' | null;
  agentMultiplier: 1 | 1.5;
  sharedMeter: boolean;
  important: boolean;
  medical: boolean;
  heatingCompany: boolean;
  vulnerable: boolean;
  behaviour: Behaviour;
  openedOn: string;
  meterNo: string;
  registerSet: number;
  multiplier: number;
  meterInstalledOn: string;
  contacts: ContactProfile[];
  contracts: ContractProfile[];
  usage: UsageModel;
}

export const TARIFFS = {
  residential: 'gansu.residential.tiered',
  sharedMeter: 'gansu.residential.shared-meter',
  singlePart: 'gansu.ci.single-part',
  twoPart: 'gansu.ci.two-part',
  agriculture: 'gansu.agriculture',
} as const;

const BEHAVIOURS: readonly Behaviour[] = ['prompt', 'late_but_pays', 'chronic_late', 'defaulting', 'disputing'];
// Households dispute less than organisations; heating companies are on purchase-before-use because they are risky.
const HOUSEHOLD_BEHAVIOUR = cumulate([62, 20, 9, 5, 4]);
const ORGANISATION_BEHAVIOUR = cumulate([56, 20, 11, 5, 8]);
const HEATING_BEHAVIOUR = cumulate([35, 30, 20, 8, 7]);

/** Rough price for sizing bills only (who is a ≥100,000 元/month customer); billing uses the real tariffs. */
const ROUGH_YUAN_PER_KWH = 0.62;
const ROUGH_CAPACITY_YUAN_PER_KVA = 23;
const ROUGH_DEMAND_YUAN_PER_KW = 35;
export const SPLIT_SETTLEMENT_FROM_YUAN = 100_000;

const HOURS_PER_MONTH = 730;

/** Walks every account of the county in id order: station by station, area by area. */
export function* walkAccounts(plan: CountyPlan, cal: DemoCalendar): Generator<AccountProfile> {
  const heatingRank = new Map([...plan.heatingAccountIds].sort((a, b) => a - b).map((id, k) => [id, k]));
  let customerId = 0;
  const customersInStation = new Array<number>(plan.stations.length).fill(0);
  for (const area of plan.areas) {
    const station = plan.stations[area.stationIndex] as StationPlan;
    const rng = randFor(plan.seed, 'area', area.index);
    const end = area.firstAccountId + area.accounts;
    let id = area.firstAccountId;
    while (id < end) {
      const seq = (customersInStation[station.index] = (customersInStation[station.index] as number) + 1);
      const ctx: Context = { rng, cal, station, area, customerId: ++customerId, customerSeq: seq };
      const rank = heatingRank.get(id);
      const category: Category = rank !== undefined ? 'heating' : (DRAWN_CATEGORIES[rng.weightedIndex(station.categoryWeights)] as Category);
      // A second account (a second shop, a second pit, another school building) must not take a heating slot.
      const wanted = rng.chance(SECOND_ACCOUNT[category]) ? 2 : 1;
      const count = wanted === 2 && id + 1 < end && !heatingRank.has(id + 1) ? 2 : 1;
      const accounts = makeCustomer(ctx, category, id, count, rank ?? 0);
      for (const a of accounts) yield a;
      id += count;
    }
  }
}

const SECOND_ACCOUNT: Record<Category, number> = {
  residential: 0,
  commercial: 0.03,
  agriculture: 0.1,
  large_industry: 0.2,
  public: 0.08,
  heating: 0,
};

interface Context {
  rng: Rand;
  cal: DemoCalendar;
  station: StationPlan;
  area: AreaPlan;
  customerId: number;
  customerSeq: number;
}

function makeCustomer(ctx: Context, category: Category, firstId: number, count: number, heatingRank: number): AccountProfile[] {
  switch (category) {
    case 'residential':
      return [household(ctx, firstId)];
    case 'commercial':
      return accountsOf(ctx, firstId, count, organisation(ctx, shopName(ctx.rng, ctx.area.place), ctx.rng.chance(0.7) ? '92' : '91'), commercial);
    case 'agriculture':
      return accountsOf(ctx, firstId, count, farmCustomer(ctx), agriculture);
    case 'large_industry':
      return industry(ctx, firstId, count);
    case 'public':
      return publicInstitution(ctx, firstId, count);
    case 'heating':
      return accountsOf(ctx, firstId, 1, organisation(ctx, HEATING_FIRMS[heatingRank % HEATING_FIRMS.length] as string, '91'), heating);
  }
}

type AccountMaker = (ctx: Context, base: AccountProfile, accountIndex: number) => AccountProfile;

function accountsOf(ctx: Context, firstId: number, count: number, customer: CustomerProfile, make: AccountMaker): AccountProfile[] {
  return Array.from({ length: count }, (_, i) => finish(ctx, make(ctx, baseAccount(ctx, firstId + i, customer, i === 0), i)));
}

// ---- customers ----------------------------------------------------------------------------------

function customerNo(ctx: Context): string {
  return `C${ctx.station.digit}${String(ctx.customerSeq).padStart(8, '0')}`;
}

function person(ctx: Context): { name: string; male: boolean; phone: string } {
  const male = ctx.rng.chance(0.55);
  return { name: personName(ctx.rng, male ? 'male' : 'female', ctx.rng.chance(ctx.station.tibetan)), male, phone: mobilePhone(ctx.rng) };
}

function personCustomer(ctx: Context, address: string): CustomerProfile {
  const p = person(ctx);
  return {
    id: ctx.customerId,
    customerNo: customerNo(ctx),
    kind: 'person',
    name: p.name,
    idNumber: residentIdNumber(ctx.rng, p.male, ctx.customerId),
    phone: p.phone,
    address,
    stationId: ctx.station.id,
    ownerName: p.name,
    staff: [],
  };
}

function organisation(ctx: Context, name: string, kind: UsccKind): CustomerProfile {
  const owner = person(ctx);
  const staff: ContactProfile[] = [{ ...contactOf(person(ctx)), role: 'finance' }];
  if (ctx.rng.chance(0.5)) staff.push({ ...contactOf(person(ctx)), role: 'payer' });
  return {
    id: ctx.customerId,
    customerNo: customerNo(ctx),
    kind: 'organisation',
    name,
    idNumber: unifiedCreditCode(kind, ctx.customerId),
    phone: owner.phone,
    address: addressIn(ctx.rng, ctx.station, ctx.area.place, false),
    stationId: ctx.station.id,
    ownerName: owner.name,
    staff,
  };
}

function contactOf(p: { name: string; phone: string }): ContactProfile {
  return { name: p.name, phone: p.phone, role: 'other', isPrimary: false };
}

function farmCustomer(ctx: Context): CustomerProfile {
  const r = ctx.rng.next();
  if (r < 0.5) return personCustomer(ctx, addressIn(ctx.rng, ctx.station, ctx.area.place, false));
  if (r < 0.8) return organisation(ctx, cooperativeName(ctx.rng, ctx.area.place), '93');
  return organisation(ctx, `${ctx.area.place.seat ? ctx.station.town : ctx.area.place.name}${ctx.area.place.seat ? '人民政府' : '村民委员会'}`, ctx.area.place.seat ? '11' : '54');
}

// ---- accounts -----------------------------------------------------------------------------------

/** Fields every account shares; the category makers override what differs. */
function baseAccount(ctx: Context, id: number, customer: CustomerProfile, firstOfCustomer: boolean): AccountProfile {
  const seqInStation = id - ctx.station.firstAccountId + 1;
  const opened = openedOnDay(ctx);
  return {
    id,
    accountNo: `${ctx.station.digit}${String(seqInStation).padStart(9, '0')}`,
    customer,
    firstOfCustomer,
    companyId: COMPANY.id,
    stationId: ctx.station.id,
    areaId: ctx.area.id,
    name: customer.name,
    address: customer.address,
    category: 'residential',
    voltage: '0.4kV',
    paymentMode: 'postpaid',
    tariff: TARIFFS.singlePart,
    pfStandard: null,
    capacityKva: 0,
    contractDemandKw: null,
    basis: null,
    agentMultiplier: 1,
    sharedMeter: false,
    important: false,
    medical: false,
    heatingCompany: false,
    vulnerable: false,
    behaviour: 'prompt',
    openedOn: dateOfEpochDay(opened),
    meterNo: `62072${ctx.station.digit}${String(seqInStation).padStart(10, '0')}`,
    registerSet: TOU,
    multiplier: 1,
    // The smart-meter roll-out reached Sunan's villages from 2014; older accounts got their meter replaced then.
    meterInstalledOn: dateOfEpochDay(Math.max(opened, ctx.rng.int(SMART_METERS_FROM, ctx.cal.historyStartDay - 30))),
    contacts: [],
    contracts: [],
    usage: { baseKwh: 0, season: Season.Steady, peakShare: 0, valleyShare: 0, pfBase: 0.95, loadFactor: 0.6, growth: 0.03 },
  };
}

const ACCOUNTS_FROM = epochDay('2003-01-01');
const SMART_METERS_FROM = epochDay('2014-03-01');

/** Opened before the history starts, more of them recently (the county grew). */
function openedOnDay(ctx: Context): number {
  const span = ctx.cal.historyStartDay - 31 - ACCOUNTS_FROM;
  return ctx.cal.historyStartDay - 31 - Math.floor(span * ctx.rng.next() ** 1.6);
}

/** Flags, pf standard and contracts that follow from the rest of the account. */
function finish(ctx: Context, a: AccountProfile): AccountProfile {
  a.pfStandard = pfStandardOf(a);
  a.contacts = [{ name: a.customer.ownerName, phone: a.customer.phone, role: 'owner', isPrimary: true }, ...a.customer.staff];
  if (a.registerSet >= TOU_REACTIVE && a.category !== 'residential') a.contacts.push({ ...contactOf(person(ctx)), role: 'electrician' });
  a.contracts = contractsOf(ctx, a);
  return a;
}

/** RULES §5: 0.90 for HV industry ≥160 kVA (heat production counts as industry), 0.85 other users ≥100 kVA, 0.80 agriculture ≥100 kVA. */
export function pfStandardOf(a: Pick<AccountProfile, 'category' | 'voltage' | 'capacityKva'>): AccountProfile['pfStandard'] {
  if (a.category === 'residential' || a.capacityKva < 100) return null;
  if ((a.category === 'large_industry' || a.category === 'heating') && a.voltage === '10kV' && a.capacityKva >= 160) return '0.90';
  return a.category === 'agriculture' ? '0.80' : '0.85';
}

function behaviourOf(rng: Rand, weights: readonly number[]): Behaviour {
  return BEHAVIOURS[rng.weightedIndex(weights)] as Behaviour;
}

function household(ctx: Context, id: number): AccountProfile {
  const { rng, station, area } = ctx;
  const flat = area.place.seat && rng.chance(station.code === 'hongwansi' ? 0.7 : 0.3);
  const customer = personCustomer(ctx, addressIn(rng, station, area.place, flat));
  const a = baseAccount(ctx, id, customer, true);
  a.category = 'residential';
  a.voltage = '0.22kV';
  a.sharedMeter = rng.chance(0.02);
  a.tariff = a.sharedMeter ? TARIFFS.sharedMeter : TARIFFS.residential;
  a.paymentMode = rng.chance(a.sharedMeter ? 0.3 : 0.85) ? 'smart_prepaid' : 'postpaid';
  a.capacityKva = a.sharedMeter ? rng.pick([20, 30, 40, 50]) : rng.pick([4, 6, 8, 8, 10]);
  a.vulnerable = rng.chance(0.012);
  a.behaviour = behaviourOf(rng, HOUSEHOLD_BEHAVIOUR);
  a.registerSet = TOTAL_ONLY;
  const heated = !a.sharedMeter && rng.chance(0.08);
  a.usage.season = heated ? Season.HeatedHousehold : Season.Household;
  a.usage.baseKwh = a.sharedMeter ? rng.logRange(400, 1600) : heated ? rng.logRange(110, 230) : rng.logRange(80, 330);
  // Children in town often pay for their parents in the villages.
  if (rng.chance(0.12)) a.customer.staff = [{ ...contactOf(person(ctx)), role: 'payer' }];
  return finish(ctx, a);
}

const COMMERCIAL_KVA = [10, 16, 20, 30, 50, 80, 100, 125, 160, 200, 250] as const;
const COMMERCIAL_KVA_WEIGHTS = cumulate([10, 14, 14, 14, 12, 9, 8, 6, 5, 4, 4]);

function commercial(ctx: Context, a: AccountProfile, i: number): AccountProfile {
  const { rng } = ctx;
  a.category = 'commercial';
  if (i > 0) a.name = `${a.customer.name}${i + 1}号店`;
  a.capacityKva = COMMERCIAL_KVA[rng.weightedIndex(COMMERCIAL_KVA_WEIGHTS)] as number;
  a.paymentMode = a.capacityKva < 100 && rng.chance(0.4) ? 'smart_prepaid' : 'postpaid';
  a.registerSet = a.capacityKva >= 100 ? TOU_REACTIVE : TOU;
  a.behaviour = behaviourOf(rng, ORGANISATION_BEHAVIOUR);
  a.usage.season = Season.Commerce;
  a.usage.baseKwh = a.capacityKva * HOURS_PER_MONTH * rng.range(0.06, 0.25);
  a.usage.peakShare = rng.range(0.36, 0.45);
  a.usage.valleyShare = rng.range(0.15, 0.24);
  a.usage.pfBase = pfBase(rng);
  return a;
}

const FARM_KVA = [30, 50, 80, 100, 125, 160, 200] as const;

function agriculture(ctx: Context, a: AccountProfile): AccountProfile {
  const { rng } = ctx;
  a.category = 'agriculture';
  a.name = wellName(ctx.area.place, rng.int(1, 40));
  a.tariff = TARIFFS.agriculture;
  a.capacityKva = rng.pick(FARM_KVA);
  a.paymentMode = rng.chance(0.2) ? 'smart_prepaid' : 'postpaid';
  a.registerSet = a.capacityKva >= 100 ? TOU_REACTIVE : TOU;
  a.behaviour = behaviourOf(rng, ORGANISATION_BEHAVIOUR);
  a.usage.season = Season.Irrigation;
  a.usage.baseKwh = a.capacityKva * HOURS_PER_MONTH * rng.range(0.08, 0.2);
  // Pumps run round the clock in the irrigation season; farmers lean on the cheap valley hours.
  a.usage.peakShare = rng.range(0.22, 0.3);
  a.usage.valleyShare = rng.range(0.32, 0.42);
  a.usage.pfBase = rng.range(0.76, 0.9);
  return a;
}

const HV_KVA = [315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000] as const;

/** Standard transformer size at or above kva. */
function standardKva(kva: number): number {
  return HV_KVA.find((s) => s >= kva) ?? 5000;
}

/** CT × VT ratio of a 10 kV metering point, by transformer size. */
function hvMultiplier(rng: Rand, kva: number): number {
  if (kva <= 630) return rng.pick([50, 60, 80]);
  if (kva <= 1600) return rng.pick([100, 150]);
  if (kva <= 3150) return rng.pick([200, 300]);
  return 400;
}

function industry(ctx: Context, firstId: number, count: number): AccountProfile[] {
  const { rng } = ctx;
  const r = rng.next();
  const kind: IndustryKind = r < 0.45 ? 'mine' : r < 0.87 ? 'factory' : 'high_energy';
  const customer = organisation(ctx, industryName(rng, kind), '91');
  return accountsOf(ctx, firstId, count, customer, (c, a, i) => largeIndustry(c, a, i, kind));
}

function largeIndustry(ctx: Context, a: AccountProfile, i: number, kind: IndustryKind): AccountProfile {
  const { rng } = ctx;
  a.category = 'large_industry';
  if (i > 0) a.name = `${a.customer.name}${kind === 'mine' ? '选矿厂' : '二分厂'}`;
  a.voltage = '10kV';
  a.tariff = TARIFFS.twoPart;
  a.capacityKva = standardKva(rng.logRange(315, 5000));
  a.multiplier = hvMultiplier(rng, a.capacityKva);
  a.registerSet = TOU_REACTIVE_DEMAND;
  a.agentMultiplier = kind === 'high_energy' ? 1.5 : 1;
  a.important = kind === 'mine' ? rng.chance(0.7) : a.capacityKva >= 2000 && rng.chance(0.4);
  a.behaviour = behaviourOf(rng, ORGANISATION_BEHAVIOUR);
  // Repeat offenders are put on purchase-before-use (RULES §10).
  a.paymentMode = a.behaviour === 'defaulting' && rng.chance(0.5) ? 'purchase_before_use' : 'postpaid';
  const u = a.usage;
  u.season = Season.Industry;
  u.baseKwh = a.capacityKva * HOURS_PER_MONTH * rng.range(0.2, 0.6) * 0.9;
  u.peakShare = rng.range(0.27, 0.34);
  u.valleyShare = rng.range(0.3, 0.38);
  u.pfBase = pfBase(rng);
  u.loadFactor = rng.range(0.55, 0.85);
  a.basis = rng.chance(0.5) ? 'demand' : 'capacity';
  if (a.basis === 'demand') a.contractDemandKw = contractDemand(rng, a.capacityKva, u.baseKwh / (HOURS_PER_MONTH * u.loadFactor));
  return a;
}

/** Declared demand C near the typical max demand — some declare low and pay for exceeding 105% of C —
 *  never below 40% of capacity (RULES §4 raises it there) nor above capacity. */
export function contractDemand(rng: Rand, capacityKva: number, typicalDemandKw: number): number {
  const declared = typicalDemandKw * (rng.chance(0.2) ? rng.range(0.82, 0.95) : rng.range(1.0, 1.25));
  const floor = Math.ceil((capacityKva * 0.4) / 10) * 10;
  return Math.min(capacityKva, Math.max(floor, Math.round(declared / 10) * 10));
}

function pfBase(rng: Rand): number {
  return rng.chance(0.15) ? rng.range(0.78, 0.86) : rng.range(0.87, 0.97);
}

const PUBLIC_KINDS: readonly PublicKind[] = ['school', 'kindergarten', 'clinic', 'hospital', 'office', 'nursing_home', 'water_works'];
const PUBLIC_WEIGHTS = cumulate([30, 10, 20, 5, 20, 5, 10]);
const PUBLIC_KVA: Record<PublicKind, readonly number[]> = {
  school: [50, 80, 100, 160, 200],
  kindergarten: [20, 30, 50],
  clinic: [10, 16, 30, 50],
  hospital: [160, 200, 250],
  office: [30, 50, 80, 100, 160],
  nursing_home: [30, 50, 80],
  water_works: [30, 50, 80, 100],
};

function publicInstitution(ctx: Context, firstId: number, count: number): AccountProfile[] {
  const { rng, station, area } = ctx;
  const kind = PUBLIC_KINDS[rng.weightedIndex(PUBLIC_WEIGHTS)] as PublicKind;
  const credit: UsccKind = kind === 'office' ? (area.place.seat ? '11' : '54') : '12';
  const customer = organisation(ctx, publicName(kind, station, area.place), credit);
  return accountsOf(ctx, firstId, count, customer, (_ctx, a, i) => {
    a.category = 'public';
    if (i > 0) a.name = `${a.customer.name}${i + 1}号楼`;
    a.capacityKva = rng.pick(PUBLIC_KVA[kind]);
    a.medical = kind === 'hospital' || kind === 'clinic';
    a.important = kind === 'hospital' || kind === 'water_works';
    a.registerSet = a.capacityKva >= 100 ? TOU_REACTIVE : TOU;
    a.behaviour = behaviourOf(rng, ORGANISATION_BEHAVIOUR);
    a.usage.season = kind === 'school' || kind === 'kindergarten' ? Season.School : Season.Steady;
    a.usage.baseKwh = a.capacityKva * HOURS_PER_MONTH * rng.range(0.08, 0.25);
    a.usage.peakShare = rng.range(0.3, 0.4);
    a.usage.valleyShare = rng.range(0.15, 0.25);
    a.usage.pfBase = pfBase(rng);
    return a;
  });
}

const HEATING_KVA = [800, 1000, 1250, 1600, 2000, 2500, 3150] as const;

/** District heating on electric boilers with heat storage: 10 kV, purchase-before-use (RULES §8.5), mostly valley hours. */
function heating(ctx: Context, a: AccountProfile): AccountProfile {
  const { rng } = ctx;
  a.category = 'heating';
  a.voltage = '10kV';
  a.tariff = TARIFFS.twoPart;
  a.basis = 'capacity';
  a.capacityKva = rng.pick(HEATING_KVA);
  a.multiplier = hvMultiplier(rng, a.capacityKva);
  a.paymentMode = 'purchase_before_use';
  a.heatingCompany = true;
  a.important = rng.chance(0.5);
  a.registerSet = TOU_REACTIVE;
  a.behaviour = behaviourOf(rng, HEATING_BEHAVIOUR);
  a.usage.season = Season.DistrictHeating;
  a.usage.baseKwh = a.capacityKva * HOURS_PER_MONTH * rng.range(0.15, 0.3);
  a.usage.peakShare = rng.range(0.08, 0.14);
  a.usage.valleyShare = rng.range(0.55, 0.65);
  a.usage.pfBase = rng.range(0.9, 0.97);
  return a;
}

// ---- contracts ----------------------------------------------------------------------------------

/** Rough monthly bill in 元, only to decide who signs a split-settlement agreement (RULES §9). */
export function roughMonthlyBillYuan(a: Pick<AccountProfile, 'usage' | 'basis' | 'capacityKva' | 'contractDemandKw'>): number {
  const energy = a.usage.baseKwh * ROUGH_YUAN_PER_KWH;
  if (a.basis === 'capacity') return energy + a.capacityKva * ROUGH_CAPACITY_YUAN_PER_KVA;
  if (a.basis === 'demand') return energy + (a.contractDemandKw ?? 0) * ROUGH_DEMAND_YUAN_PER_KW;
  return energy;
}

function contractsOf(ctx: Context, a: AccountProfile): ContractProfile[] {
  const contracts: ContractProfile[] = [];
  const signed = a.openedOn;
  if (a.category !== 'residential') {
    const dueDay = a.voltage === '10kV' ? 20 : 25;
    contracts.push({
      kind: 'supply',
      contractNo: `GY${a.accountNo}`,
      signedOn: signed,
      startsOn: signed,
      endsOn: null,
      dueDay,
      terms: { readDay: 1, dueDay, billingCycle: 'monthly', renewal: 'automatic', voltageLevel: a.voltage, capacityKva: a.capacityKva, paymentChannel: a.voltage === '10kV' ? 'bank' : ctx.rng.pick(['counter', 'wechatpay', 'alipay', 'app']) },
    });
  }
  if (a.paymentMode === 'smart_prepaid') {
    // RULES §8: warning amount defaults to 50 元; a customer may choose 10–200 元.
    const warningAmountFen = ctx.rng.chance(0.8) ? 5000 : ctx.rng.pick([1000, 2000, 3000, 10000, 20000]);
    contracts.push({ kind: 'prepaid_agreement', contractNo: `FK${a.accountNo}`, signedOn: a.meterInstalledOn, startsOn: a.meterInstalledOn, endsOn: null, dueDay: null, terms: { warningAmountFen, notify: ['sms', 'app'] } });
  }
  if (a.paymentMode === 'purchase_before_use') {
    const since = dateOfEpochDay(Math.max(epochDay(signed), ctx.cal.historyStartDay - ctx.rng.int(30, 700)));
    contracts.push({ kind: 'purchase_before_use', contractNo: `GD${a.accountNo}`, signedOn: since, startsOn: since, endsOn: null, dueDay: null, terms: { warningDaysLeft: 10, heatingSeason: a.heatingCompany ? { from: '10-15', to: '04-15' } : null, topUpChannel: 'bank' } });
  } else if (a.category !== 'residential' && roughMonthlyBillYuan(a) >= SPLIT_SETTLEMENT_FROM_YUAN) {
    const since = dateOfEpochDay(Math.max(epochDay(signed), ctx.cal.historyStartDay - ctx.rng.int(30, 700)));
    contracts.push({ kind: 'split_settlement', contractNo: `FC${a.accountNo}`, signedOn: since, startsOn: since, endsOn: null, dueDay: null, terms: { instalmentDays: [10, 20, 'last_working_day'], shares: ['0.30', '0.30', '0.40'], basis: 'last_month_bill', finalSettlement: 'after_month_end_read' } });
  }
  return contracts;
}
