import { mobilePhone, personName, placesOf, STATIONS, type Place, type StationSeed } from './names.js';
import { cumulate, randFor } from './random.js';

/**
 * The shape of the demo county (RULES §12): one company, eight stations named after Sunan's towns,
 * 3–6 area managers per station and transformer areas of ~100–300 accounts each, scaled to the
 * requested number of accounts. Ids are assigned here, so every later pass agrees on them.
 */

export const COMPANY = { id: 1, code: 'sunan', name: '肃南县供电公司', nameEn: 'Sunan County Power Supply Co.' } as const;

/** Categories drawn per customer; heating companies are placed separately (about ten in the county). */
export const DRAWN_CATEGORIES = ['residential', 'commercial', 'agriculture', 'large_industry', 'public'] as const;
export type DrawnCategory = (typeof DRAWN_CATEGORIES)[number];
export type Category = DrawnCategory | 'heating';

/** County-wide account mix (RULES §12). Residential takes what the others leave. */
const COUNTY_MIX: Record<Exclude<DrawnCategory, 'residential'>, number> = {
  commercial: 0.088,
  agriculture: 0.03,
  large_industry: 0.0085,
  public: 0.0095,
};

/** Local colour: irrigation in 明花/大河, mines around 祁丰 and 皇城, shops and offices in the county seat. */
const STATION_BIAS: Record<string, Partial<Record<DrawnCategory, number>>> = {
  hongwansi: { commercial: 1.8, public: 1.6, agriculture: 0.2 },
  huangcheng: { agriculture: 1.5, large_industry: 1.5 },
  mati: { commercial: 1.3 },
  dahe: { agriculture: 1.5 },
  minghua: { agriculture: 3 },
  qifeng: { large_industry: 3 },
};

export const ACCOUNTS_PER_AREA = 200;
export const MAX_HEATING_COMPANIES = 10;

export interface StationPlan extends StationSeed {
  id: number;
  index: number;
  places: Place[];
  /** Number of accounts and the first account id in this station (accounts are numbered station by station). */
  accounts: number;
  firstAccountId: number;
  managerIds: number[];
  /** Cumulative weights over DRAWN_CATEGORIES for this station. */
  categoryWeights: number[];
}

export type UserRole = 'admin' | 'company_manager' | 'marketing' | 'auditor' | 'station_head' | 'cashier' | 'area_manager';

export interface UserPlan {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  orgUnitId: number;
  phone: string;
}

export interface AreaPlan {
  id: number;
  index: number;
  code: string;
  name: string;
  stationIndex: number;
  stationId: number;
  managerUserId: number;
  capacityKva: number;
  place: Place;
  accounts: number;
  firstAccountId: number;
}

export interface CountyPlan {
  seed: number;
  accounts: number;
  stations: StationPlan[];
  users: UserPlan[];
  areas: AreaPlan[];
  /** Account ids that are district-heating companies (spread evenly over the county). */
  heatingAccountIds: Set<number>;
}

/** Splits total into integer parts proportional to weights (largest remainder), summing to total exactly. */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    parts[i] = (parts[i] as number) + 1;
  }
  return parts;
}

/** Per-station category weights that keep the county-wide mix while biasing each station. */
function stationCategoryWeights(): number[][] {
  const perStation = STATIONS.map(() => [0, 0, 0, 0, 0]);
  DRAWN_CATEGORIES.forEach((cat, c) => {
    if (cat === 'residential') return;
    const bias = (s: StationSeed) => STATION_BIAS[s.code]?.[cat] ?? 1;
    const norm = STATIONS.reduce((sum, s) => sum + s.share * bias(s), 0);
    STATIONS.forEach((s, i) => ((perStation[i] as number[])[c] = (COUNTY_MIX[cat] * bias(s)) / norm));
  });
  return perStation.map((w) => {
    w[0] = 1 - w.slice(1).reduce((a, b) => a + b, 0);
    return cumulate(w);
  });
}

export function heatingCompanyCount(accounts: number): number {
  return Math.min(MAX_HEATING_COMPANIES, Math.floor(accounts / 50));
}

export function planCounty(accounts: number, seed: number): CountyPlan {
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error(`accounts must be a positive integer, got ${accounts}`);
  const rng = randFor(seed, 'county');
  const counts = apportion(accounts, STATIONS.map((s) => s.share));
  const weights = stationCategoryWeights();
  const users = companyUsers(seed);
  const stations: StationPlan[] = [];
  const areas: AreaPlan[] = [];
  let nextAccountId = 1;
  STATIONS.forEach((seedStation, index) => {
    const managerCount = seedStation.code === 'hongwansi' ? 6 : seedStation.code === 'huangcheng' ? 5 : rng.int(3, 5);
    const station: StationPlan = {
      ...seedStation,
      id: COMPANY.id + 1 + index,
      index,
      places: placesOf(seedStation),
      accounts: counts[index] as number,
      firstAccountId: nextAccountId,
      managerIds: [],
      categoryWeights: weights[index] as number[],
    };
    users.push(...stationUsers(station, managerCount, users.length + 1, seed));
    station.managerIds = users.filter((u) => u.orgUnitId === station.id && u.role === 'area_manager').map((u) => u.id);
    areas.push(...stationAreas(station, areas.length, rng));
    stations.push(station);
    nextAccountId += station.accounts;
  });
  return { seed, accounts, stations, users, areas, heatingAccountIds: heatingIds(accounts) };
}

function heatingIds(accounts: number): Set<number> {
  const n = heatingCompanyCount(accounts);
  return new Set(Array.from({ length: n }, (_, k) => Math.floor(((k + 0.5) * accounts) / n) + 1));
}

function companyUsers(seed: number): UserPlan[] {
  const rng = randFor(seed, 'staff', 0);
  const person = () => personName(rng, rng.chance(0.6) ? 'male' : 'female');
  return [
    { id: 1, username: 'admin', displayName: '系统管理员', role: 'admin', orgUnitId: COMPANY.id, phone: mobilePhone(rng) },
    { id: 2, username: 'manager', displayName: person(), role: 'company_manager', orgUnitId: COMPANY.id, phone: mobilePhone(rng) },
    { id: 3, username: 'marketing', displayName: person(), role: 'marketing', orgUnitId: COMPANY.id, phone: mobilePhone(rng) },
    { id: 4, username: 'auditor', displayName: person(), role: 'auditor', orgUnitId: COMPANY.id, phone: mobilePhone(rng) },
  ];
}

function stationUsers(station: StationPlan, managers: number, firstId: number, seed: number): UserPlan[] {
  const rng = randFor(seed, 'staff', station.id);
  const person = () => personName(rng, rng.chance(0.6) ? 'male' : 'female', rng.chance(station.tibetan));
  const user = (suffix: string, role: UserRole, k: number): UserPlan => ({
    id: firstId + k,
    username: `${station.code}.${suffix}`,
    displayName: person(),
    role,
    orgUnitId: station.id,
    phone: mobilePhone(rng),
  });
  return [
    user('head', 'station_head', 0),
    user('cashier', 'cashier', 1),
    ...Array.from({ length: managers }, (_, i) => user(`am${i + 1}`, 'area_manager', 2 + i)),
  ];
}

const AREA_TRANSFORMERS_KVA = [100, 200, 315, 400, 500, 630] as const;

/** Areas of a station: about ACCOUNTS_PER_AREA accounts each, at least one per area manager, handed out in turn. */
function stationAreas(station: StationPlan, firstIndex: number, rng: ReturnType<typeof randFor>): AreaPlan[] {
  const count = Math.max(station.managerIds.length, Math.round(station.accounts / ACCOUNTS_PER_AREA));
  const sizes = apportion(station.accounts, Array.from({ length: count }, () => rng.range(0.6, 1.4)));
  const perPlace = new Map<string, number>();
  let nextAccountId = station.firstAccountId;
  return sizes.map((size, j) => {
    const place = rng.pick(station.places);
    const n = (perPlace.get(place.name) ?? 0) + 1;
    perPlace.set(place.name, n);
    const area: AreaPlan = {
      id: firstIndex + j + 1,
      index: firstIndex + j,
      code: `${station.code}-T${String(j + 1).padStart(3, '0')}`,
      name: `${place.name}${n}号台区`,
      stationIndex: station.index,
      stationId: station.id,
      managerUserId: station.managerIds[j % station.managerIds.length] as number,
      capacityKva: AREA_TRANSFORMERS_KVA.find((kva) => kva >= size * 1.5) ?? 630,
      place,
      accounts: size,
      firstAccountId: nextAccountId,
    };
    nextAccountId += size;
    return area;
  });
}
