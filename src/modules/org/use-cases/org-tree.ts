import type { Executor } from '../../../db/tx.js';
import { notFound } from '../../../shared/errors.js';
import { presentArea } from '../domain/present.js';
import type { Scope } from '../domain/scope.js';
import { findOrgUnit, listAreas, listStations } from '../org.repository.js';
import type { Area, OrgTree } from '../org.types.js';

/** company → stations → area managers → transformer areas, cut to what the scope may see. */
export async function orgTree(db: Executor, scope: Scope): Promise<OrgTree> {
  const company = await findOrgUnit(db, scope.companyId);
  if (!company) throw notFound('company');
  const [stations, areas] = await Promise.all([listStations(db, scope), listAreas(db, scope)]);
  return {
    company: { id: company.id, code: company.code, name: company.name, nameEn: company.name_en },
    stations: stations
      .filter((s) => scope.level !== 'area' || areas.some((a) => a.station_id === s.id))
      .map((s) => {
        const byManager = new Map<number | null, Area[]>();
        for (const a of areas.filter((x) => x.station_id === s.id)) {
          const list = byManager.get(a.manager_user_id) ?? [];
          list.push(presentArea(a));
          byManager.set(a.manager_user_id, list);
        }
        return {
          id: s.id,
          code: s.code,
          name: s.name,
          nameEn: s.name_en,
          managers: [...byManager.entries()].map(([userId, list]) => ({ userId, name: list[0]?.managerName ?? null, areas: list })),
        };
      }),
  };
}
