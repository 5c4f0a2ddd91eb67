/** Roles, the org level each works at, and what each may do. Pure data and functions. */
export const ROLES = ['admin', 'company_manager', 'marketing', 'station_head', 'area_manager', 'cashier', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export type Level = 'company' | 'station' | 'area';

/** Company-level roles see the whole company; station roles their station; area managers their own areas. */
export const ROLE_LEVEL: Record<Role, Level> = {
  admin: 'company',
  company_manager: 'company',
  marketing: 'company',
  auditor: 'company',
  station_head: 'station',
  cashier: 'station',
  area_manager: 'area',
};

export const PERMISSIONS = [
  'org.manage', // org units, transformer areas, users
  'customers.write', // customers, accounts, meters, contracts
  'contacts.write', // an account's contact list (area managers keep it current)
  'pii.phone', // may ask for unmasked phone numbers
  'pii.idNumber', // may ask for unmasked ID numbers
  'audit.read',
  'tariffs.write', // draft tariff versions and monthly agent-purchase price tables (JSON, CSV, xlsx)
  'tariffs.publish', // publish them (RULES §1–5: the marketing department publishes prices)
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['org.manage', 'customers.write', 'contacts.write', 'pii.phone', 'pii.idNumber', 'audit.read', 'tariffs.write', 'tariffs.publish'],
  company_manager: ['pii.phone'],
  marketing: ['customers.write', 'contacts.write', 'tariffs.write', 'tariffs.publish'],
  station_head: ['customers.write', 'contacts.write', 'pii.phone', 'pii.idNumber'],
  area_manager: ['contacts.write', 'pii.phone'],
  cashier: ['pii.phone'],
  auditor: ['audit.read'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
