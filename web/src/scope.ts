import { CATEGORIES, PAYMENT_MODES, type AccountFilters, type Category, type OrgTree, type PaymentMode } from './api/types';

/**
 * The customer search lives in the URL (/customers?q=&stationId=…), so the scope tree, the back button and
 * a pasted link all agree on what is shown. These helpers translate between the URL, the filters the API
 * takes, and the keys of the scope tree.
 */

export type ScopeKey = `company:${number}` | `station:${number}` | `manager:${number}:${number}` | `area:${number}`;

const positiveInt = (value: string | null): number | undefined => {
  if (!value || !/^\d{1,12}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
};

export function filtersFromParams(params: URLSearchParams): AccountFilters {
  const category = params.get('category');
  const paymentMode = params.get('paymentMode');
  const q = params.get('q')?.trim();
  const filters: AccountFilters = {};
  if (q) filters.q = q;
  const stationId = positiveInt(params.get('stationId'));
  const areaId = positiveInt(params.get('areaId'));
  const managerUserId = positiveInt(params.get('managerUserId'));
  if (stationId) filters.stationId = stationId;
  if (areaId) filters.areaId = areaId;
  if (managerUserId) filters.managerUserId = managerUserId;
  if (category && (CATEGORIES as readonly string[]).includes(category)) filters.category = category as Category;
  if (paymentMode && (PAYMENT_MODES as readonly string[]).includes(paymentMode)) filters.paymentMode = paymentMode as PaymentMode;
  return filters;
}

export function paramsFromFilters(filters: AccountFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params;
}

/** The scope part of the filters that a tree node stands for. Company = everything the user may see. */
export function scopeOfKey(key: string): Pick<AccountFilters, 'stationId' | 'areaId' | 'managerUserId'> {
  const [kind, a, b] = key.split(':');
  switch (kind) {
    case 'station':
      return { stationId: Number(a) };
    case 'manager':
      // Both: one person may manage areas in two stations; the node sits under one of them.
      return { stationId: Number(a), managerUserId: Number(b) };
    case 'area':
      return { areaId: Number(a) };
    default:
      return {};
  }
}

export function keyOfScope(filters: AccountFilters, tree: OrgTree | undefined): ScopeKey | null {
  if (filters.areaId) return `area:${filters.areaId}`;
  if (filters.managerUserId) {
    const stationId = filters.stationId ?? tree?.stations.find((s) => s.managers.some((m) => m.userId === filters.managerUserId))?.id;
    return stationId ? `manager:${stationId}:${filters.managerUserId}` : null;
  }
  if (filters.stationId) return `station:${filters.stationId}`;
  return tree ? `company:${tree.company.id}` : null;
}

export interface ScopeLabel {
  station?: string;
  manager?: string;
  area?: string;
}

/** Names for the active scope, for the "scope: …" tag above the results. */
export function describeScope(filters: AccountFilters, tree: OrgTree | undefined, localName: (n: { name: string; nameEn?: string | null }) => string): ScopeLabel | null {
  if (!tree || (!filters.stationId && !filters.areaId && !filters.managerUserId)) return null;
  const label: ScopeLabel = {};
  for (const station of tree.stations) {
    for (const manager of station.managers) {
      for (const area of manager.areas) {
        if (area.id === filters.areaId) {
          label.station = localName(station);
          label.area = `${area.name}`;
        }
      }
      if (manager.userId && manager.userId === filters.managerUserId && (!filters.stationId || filters.stationId === station.id)) {
        label.station = localName(station);
        label.manager = manager.name ?? undefined;
      }
    }
    if (station.id === filters.stationId) label.station = localName(station);
  }
  return label;
}
