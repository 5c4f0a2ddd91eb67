import type { Area, User, UserStatus } from '../org.types.js';
import type { Role } from './roles.js';

/** API shape of a user row (never includes the password hash). */
export function presentUser(u: {
  id: number;
  username: string;
  display_name: string;
  role: string;
  org_unit_id: number;
  org_unit_name: string;
  org_unit_name_en: string | null;
  company_id: number;
  station_id: number | null;
  phone: string | null;
  status: string;
  locked_until: Date | null;
}): User {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role as Role,
    orgUnitId: u.org_unit_id,
    orgUnitName: u.org_unit_name,
    orgUnitNameEn: u.org_unit_name_en,
    companyId: u.company_id,
    stationId: u.station_id,
    phone: u.phone,
    status: u.status as UserStatus,
    lockedUntil: u.locked_until?.toISOString() ?? null,
  };
}

export function presentArea(a: { id: number; code: string; name: string; station_id: number; manager_user_id: number | null; manager_name: string | null; capacity_kva: string | null }): Area {
  return {
    id: a.id,
    code: a.code,
    name: a.name,
    stationId: a.station_id,
    managerUserId: a.manager_user_id,
    managerName: a.manager_name,
    capacityKva: a.capacity_kva,
  };
}
