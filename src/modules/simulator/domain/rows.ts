import { copyLine, copyText } from '../../../db/copy.js';
import { ascii, AsciiChunk, TAB } from './ascii.js';
import { REGISTER_SETS, TOTAL_ONLY, TOU_REACTIVE, TOU_REACTIVE_DEMAND, walkAccounts, type AccountProfile } from './accounts.js';
import { CYCLE_READS, DAILY_DAYS, type DemoCalendar } from './calendar.js';
import { COMPANY, type CountyPlan } from './county.js';
import { dailyShares, dailyValue, hasDailyReads, monthlySeries, newReadSeries, readRand } from './reads.js';

/**
 * The demo county as COPY text, one table at a time, in chunks of about half a megabyte so memory
 * stays bounded at any size. Pure: no I/O; the use case streams these chunks into PostgreSQL.
 *
 * The per-account encoders join fields with tabs without escaping: every text they write comes from
 * the fixed vocabularies in names.ts or from digits, none of which needs COPY escaping (rows.test.ts
 * checks every line). Anything free-form (contract terms JSON) goes through copyText. The two read
 * tables, nine rows in ten, are written as bytes (ascii.ts).
 */

const CHUNK_CHARS = 1 << 19;

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
  tally.onChunk?.(tally);
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

/** Walks the accounts, lets encode write ASCII rows for each into one reused buffer, and yields chunks. */
function* perAccountAscii(input: DemoInput, tally: Tally, encode: (a: AccountProfile, out: AsciiChunk) => void): Generator<string> {
  const out = new AsciiChunk(CHUNK_BYTES);
  tally.onChunk?.(tally);
  for (const a of walkAccounts(input.plan, input.cal)) {
    encode(a, out);
    tally.accounts++;
    if (out.full) {
      yield out.take();
      tally.onChunk?.(tally);
    }
  }
  if (out.length) yield out.take();
  tally.onChunk?.(tally);
}

const CHUNK_BYTES = 1 << 20;
const NULL3 = ascii(`${NULL}\t${NULL}\t${NULL}`);
const NULL_FIELD = ascii(NULL);
const DEMO_END = ascii('\tf\tdemo\n');
const ESTIMATE_END = ascii('\tt\testimate\n');
const DAILY_END = ascii('\tdemo\n');

/** `id\tid\t`: the account and its meter (same id). */
function writeIds(out: AsciiChunk, id: number): void {
  out.uint(id);
  out.byte(TAB);
  out.uint(id);
  out.byte(TAB);
}

/** `total\tpeak\tflat\tvalley` of a TOU reading. */
function writeTou(out: AsciiChunk, total: number, peak: number, flat: number, valley: number): void {
  out.hundredths(total);
  out.byte(TAB);
  out.hundredths(peak);
  out.byte(TAB);
  out.hundredths(flat);
  out.byte(TAB);
  out.hundredths(valley);
}

const cycleReads: TablePass = {
  phase: 'cycle reads',
  table: 'cycle_read',
  columns: ['account_id', 'meter_id', 'period', 'read_on', 'total', 'peak', 'flat', 'valley', 'reactive', 'max_demand', 'estimated', 'source'],
  hasId: false,
  perAccount: true,
  chunks(input, tally) {
    const { cal, plan } = input;
    const monthFields = cal.periods.slice(0, CYCLE_READS).map((p, k) => ascii(`${p}\t${cal.readOn[k]}\t`));
    const s = newReadSeries();
    return perAccountAscii(input, tally, (a, out) => {
      monthlySeries(a, cal, readRand(plan.seed, a.id), s);
      const tou = a.registerSet !== TOTAL_ONLY;
      const reactive = a.registerSet >= TOU_REACTIVE;
      const demand = a.registerSet === TOU_REACTIVE_DEMAND;
      for (let k = 0; k < CYCLE_READS; k++) {
        writeIds(out, a.id);
        out.bytes(monthFields[k]!);
        if (tou) writeTou(out, s.total[k]!, s.peak[k]!, s.flat[k]!, s.valley[k]!);
        else {
          out.hundredths(s.total[k]!);
          out.byte(TAB);
          out.bytes(NULL3);
        }
        out.byte(TAB);
        if (reactive) out.hundredths(s.reactive[k]!);
        else out.bytes(NULL_FIELD);
        out.byte(TAB);
        if (demand) out.hundredths(s.maxDemand[k]!);
        else out.bytes(NULL_FIELD);
        out.bytes(s.estimated[k] ? ESTIMATE_END : DEMO_END);
      }
      tally.rows += CYCLE_READS;
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
    const dates = cal.dailyDates.map((d) => ascii(`${d}\t`));
    const s = newReadSeries();
    const shares: Float64Array[] = [];
    return perAccountAscii(input, tally, (a, out) => {
      if (!hasDailyReads(a)) return;
      // Same stream as the cycle-read pass, so the months agree; the day shares come after it.
      const rng = readRand(plan.seed, a.id);
      monthlySeries(a, cal, rng, s);
      dailyShares(cal, rng, shares);
      const tou = a.registerSet !== TOTAL_ONLY;
      for (let i = 0; i < DAILY_DAYS; i++) {
        writeIds(out, a.id);
        out.bytes(dates[i]!);
        if (tou) {
          const peak = dailyValue(s.peak, shares, cal, i);
          const flat = dailyValue(s.flat, shares, cal, i);
          const valley = dailyValue(s.valley, shares, cal, i);
          writeTou(out, peak + flat + valley, peak, flat, valley);
        } else {
          out.hundredths(dailyValue(s.total, shares, cal, i));
          out.byte(TAB);
          out.bytes(NULL3);
        }
        out.bytes(DAILY_END);
      }
      tally.rows += DAILY_DAYS;
    });
  },
};

/** Every table of the demo county in load order (parents before children). */
export const DEMO_PASSES: readonly TablePass[] = [orgUnits, users, areas, customers, accounts, contacts, meters, contracts, cycleReads, dailyReads];
