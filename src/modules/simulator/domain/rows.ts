import { copyLine, copyText } from '../../../db/copy.js';
import { REGISTER_SETS, TOTAL_ONLY, TOU_REACTIVE, TOU_REACTIVE_DEMAND, walkAccounts, type AccountProfile } from './accounts.js';
import { CYCLE_READS, DAILY_DAYS, type DemoCalendar } from './calendar.js';
import { COMPANY, type CountyPlan } from './county.js';
import { dailyShares, dailyValue, hasDailyReads, monthlySeries, newReadSeries, readRand, type ReadSeries } from './reads.js';

/**
 * The demo county as COPY text, one table at a time, in chunks of about CHUNK_CHARS characters so
 * memory stays bounded at any size. Pure: no I/O; the use case streams these chunks into PostgreSQL.
 *
 * The hot encoders below join fields with tabs without escaping: every text they write comes from the
 * fixed vocabularies in names.ts or from digits, none of which needs COPY escaping (rows.test.ts
 * compares them with copyLine). Anything free-form (contract terms JSON) goes through copyText.
 */

export const CHUNK_CHARS = 1 << 19;

/** Counts what a pass has produced so far; onChunk lets the caller report progress. */
export interface Tally {
  rows: number;
  accounts: number;
  onChunk?: (tally: Tally) => void;
}

export function newTally(onChunk?: (tally: Tally) => void): Tally {
  return onChunk ? { rows: 0, accounts: 0, onChunk } : { rows: 0, accounts: 0 };
}

export interface DemoInput {
  plan: CountyPlan;
  cal: DemoCalendar;
  /** One argon2 hash of the demo password, shared by all demo users (hashing is deliberately slow). */
  passwordHash: string;
}

export interface TablePass {
  /** Progress phase name. */
  phase: string;
  table: string;
  columns: readonly string[];
  /** Tables whose ids the pass assigns (their identity sequence must be moved past them afterwards). */
  hasId: boolean;
  /** Whether the pass walks the accounts (progress is counted in accounts) or writes a few org rows. */
  perAccount: boolean;
  chunks(input: DemoInput, tally: Tally): Iterable<string>;
}

const NULL = '\\N';

/** A COPY line for values that need no escaping (see the note at the top). */
function line(values: readonly (string | number | boolean | null)[]): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    s += (i ? '\t' : '') + (v === null ? NULL : v === true ? 't' : v === false ? 'f' : v);
  }
  return s + '\n';
}

/** Walks the accounts, lets encode append lines for each, and yields chunks. */
function* perAccount(input: DemoInput, tally: Tally, encode: (a: AccountProfile) => string): Generator<string> {
  let chunk = '';
  for (const a of walkAccounts(input.plan, input.cal)) {
    chunk += encode(a);
    tally.accounts++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
      tally.onChunk?.(tally);
    }
  }
  if (chunk) yield chunk;
  tally.onChunk?.(tally);
}

// ---- organisation -------------------------------------------------------------------------------

const orgUnits: TablePass = {
  phase: 'org units',
  table: 'org_unit',
  columns: ['id', 'parent_id', 'kind', 'code', 'name', 'name_en'],
  hasId: true,
  perAccount: false,
  *chunks({ plan }, tally) {
    const rows = [[COMPANY.id, null, 'company', COMPANY.code, COMPANY.name, COMPANY.nameEn], ...plan.stations.map((s) => [s.id, COMPANY.id, 'station', s.code, s.name, s.nameEn])];
    tally.rows += rows.length;
    yield rows.map(copyLine).join('');
  },
};

const users: TablePass = {
  phase: 'users',
  table: 'app_user',
  columns: ['id', 'username', 'display_name', 'role', 'org_unit_id', 'phone', 'password_hash'],
  hasId: true,
  perAccount: false,
  *chunks({ plan, passwordHash }, tally) {
    tally.rows += plan.users.length;
    yield plan.users.map((u) => copyLine([u.id, u.username, u.displayName, u.role, u.orgUnitId, u.phone, passwordHash])).join('');
  },
};

const areas: TablePass = {
  phase: 'transformer areas',
  table: 'transformer_area',
  columns: ['id', 'code', 'name', 'station_id', 'manager_user_id', 'capacity_kva'],
  hasId: true,
  perAccount: false,
  *chunks({ plan }, tally) {
    tally.rows += plan.areas.length;
    yield plan.areas.map((a) => copyLine([a.id, a.code, a.name, a.stationId, a.managerUserId, a.capacityKva])).join('');
  },
};

// ---- customers and accounts ---------------------------------------------------------------------

const customers: TablePass = {
  phase: 'customers',
  table: 'customer',
  columns: ['id', 'customer_no', 'kind', 'name', 'id_number', 'phone', 'address', 'station_id'],
  hasId: true,
  perAccount: true,
  chunks(input, tally) {
    return perAccount(input, tally, (a) => {
      if (!a.firstOfCustomer) return '';
      const c = a.customer;
      tally.rows++;
      return line([c.id, c.customerNo, c.kind, c.name, c.idNumber, c.phone, c.address, c.stationId]);
    });
  },
};

export const ACCOUNT_COLUMNS = [
  'id', 'account_no', 'customer_id', 'company_id', 'station_id', 'area_id', 'name', 'address', 'category', 'voltage_level',
  'payment_mode', 'tariff_code', 'pf_standard', 'capacity_kva', 'contract_demand_kw', 'basic_charge_basis', 'agent_multiplier',
  'shared_meter', 'is_important', 'is_medical', 'is_heating_company', 'is_vulnerable', 'behaviour_profile', 'opened_on',
] as const;

export function accountValues(a: AccountProfile): (string | number | boolean | null)[] {
  return [
    a.id, a.accountNo, a.customer.id, a.companyId, a.stationId, a.areaId, a.name, a.address, a.category, a.voltage,
    a.paymentMode, a.tariff, a.pfStandard, a.capacityKva, a.contractDemandKw, a.basis, a.agentMultiplier,
    a.sharedMeter, a.important, a.medical, a.heatingCompany, a.vulnerable, a.behaviour, a.openedOn,
  ];
}

const accounts: TablePass = {
  phase: 'accounts',
  table: 'account',
  columns: ACCOUNT_COLUMNS,
  hasId: true,
  perAccount: true,
  chunks(input, tally) {
    return perAccount(input, tally, (a) => {
      tally.rows++;
      return line(accountValues(a));
    });
  },
};

const contacts: TablePass = {
  phase: 'contacts',
  table: 'account_contact',
  columns: ['id', 'account_id', 'name', 'phone', 'role', 'is_primary'],
  hasId: true,
  perAccount: true,
  chunks(input, tally) {
    return perAccount(input, tally, (a) => {
      let s = '';
      for (const c of a.contacts) s += line([++tally.rows, a.id, c.name, c.phone, c.role, c.isPrimary]);
      return s;
    });
  },
};

const REGISTER_LITERALS = REGISTER_SETS.map((set) => `{${set.join(',')}}`);

const meters: TablePass = {
  phase: 'meters',
  table: 'meter',
  columns: ['id', 'account_id', 'meter_no', 'registers', 'multiplier', 'smart', 'installed_on'],
  hasId: true,
  perAccount: true,
  chunks(input, tally) {
    // One meter per account, so the meter id is the account id.
    return perAccount(input, tally, (a) => {
      tally.rows++;
      return line([a.id, a.id, a.meterNo, REGISTER_LITERALS[a.registerSet] as string, a.multiplier, true, a.meterInstalledOn]);
    });
  },
};

const contracts: TablePass = {
  phase: 'contracts',
  table: 'contract',
  columns: ['id', 'account_id', 'contract_no', 'kind', 'signed_on', 'starts_on', 'ends_on', 'due_day', 'terms'],
  hasId: true,
  perAccount: true,
  chunks(input, tally) {
    return perAccount(input, tally, (a) => {
      let s = '';
      for (const c of a.contracts) s += line([++tally.rows, a.id, c.contractNo, c.kind, c.signedOn, c.startsOn, c.endsOn, c.dueDay, copyText(JSON.stringify(c.terms))]);
      return s;
    });
  },
};

// ---- reads --------------------------------------------------------------------------------------

const CENTS = Array.from({ length: 100 }, (_, i) => (i < 10 ? '.0' : '.') + i);

/** A reading held in hundredths as a decimal string with two places (12345 → "123.45"). */
export function hundredths(v: number): string {
  const whole = Math.floor(v / 100);
  return whole + (CENTS[v - whole * 100] as string);
}

const NO_TOU = `${NULL}\t${NULL}\t${NULL}`;

/** The `peak, flat, valley` fields of reading k (or nulls for a total-only meter). */
function touFields(s: ReadSeries, k: number, tou: boolean): string {
  return tou ? `${hundredths(s.peak[k]!)}\t${hundredths(s.flat[k]!)}\t${hundredths(s.valley[k]!)}` : NO_TOU;
}

const cycleReads: TablePass = {
  phase: 'cycle reads',
  table: 'cycle_read',
  columns: ['account_id', 'meter_id', 'period', 'read_on', 'total', 'peak', 'flat', 'valley', 'reactive', 'max_demand', 'estimated', 'source'],
  hasId: false,
  perAccount: true,
  chunks(input, tally) {
    const { cal, plan } = input;
    const monthFields = cal.periods.slice(0, CYCLE_READS).map((p, k) => `${p}\t${cal.readOn[k]}\t`);
    const series = newReadSeries();
    return perAccount(input, tally, (a) => {
      monthlySeries(a, cal, readRand(plan.seed, a.id), series);
      const prefix = `${a.id}\t${a.id}\t`;
      const tou = a.registerSet !== TOTAL_ONLY;
      const reactive = a.registerSet >= TOU_REACTIVE;
      const demand = a.registerSet === TOU_REACTIVE_DEMAND;
      let s = '';
      for (let k = 0; k < CYCLE_READS; k++) {
        s += `${prefix}${monthFields[k]}${hundredths(series.total[k]!)}\t${touFields(series, k, tou)}\t${reactive ? hundredths(series.reactive[k]!) : NULL}\t${demand ? hundredths(series.maxDemand[k]!) : NULL}\t${series.estimated[k] ? 't\testimate' : 'f\tdemo'}\n`;
      }
      tally.rows += CYCLE_READS;
      return s;
    });
  },
};

const dailyReads: TablePass = {
  phase: 'daily reads',
  table: 'daily_read',
  columns: ['account_id', 'meter_id', 'read_on', 'total', 'peak', 'flat', 'valley', 'source'],
  hasId: false,
  perAccount: true,
  chunks(input, tally) {
    const { cal, plan } = input;
    const series = newReadSeries();
    const shares: Float64Array[] = [];
    return perAccount(input, tally, (a) => {
      if (!hasDailyReads(a)) return '';
      // Same stream as the cycle-read pass, so the months agree; the day shares come after it.
      const rng = readRand(plan.seed, a.id);
      monthlySeries(a, cal, rng, series);
      dailyShares(cal, rng, shares);
      const prefix = `${a.id}\t${a.id}\t`;
      const tou = a.registerSet !== TOTAL_ONLY;
      let s = '';
      for (let i = 0; i < DAILY_DAYS; i++) {
        if (tou) {
          const peak = dailyValue(series.peak, shares, cal, i);
          const flat = dailyValue(series.flat, shares, cal, i);
          const valley = dailyValue(series.valley, shares, cal, i);
          s += `${prefix}${cal.dailyDates[i]}\t${hundredths(peak + flat + valley)}\t${hundredths(peak)}\t${hundredths(flat)}\t${hundredths(valley)}\tdemo\n`;
        } else {
          s += `${prefix}${cal.dailyDates[i]}\t${hundredths(dailyValue(series.total, shares, cal, i))}\t${NO_TOU}\tdemo\n`;
        }
      }
      tally.rows += DAILY_DAYS;
      return s;
    });
  },
};

/** Every table of the demo county in load order (parents before children). */
export const DEMO_PASSES: readonly TablePass[] = [orgUnits, users, areas, customers, accounts, contacts, meters, contracts, cycleReads, dailyReads];
