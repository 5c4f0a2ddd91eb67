/**
 * Roles, the org level each works at, and THE permission table: what each role may do, for every module.
 * Every module checks through `can`; the web app imports this file too (it hides what the server would
 * refuse). Pure data and functions, no imports, so the web build can take it as it is.
 */
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

/** Every permission, named `<module>.<what>`; who holds it is in ROLE_PERMISSIONS. */
export const PERMISSIONS = [
  'org.manage', // org units, transformer areas, users
  'customers.write', // customers, accounts, meters, contracts
  'contacts.write', // an account's contact list (area managers keep it current)
  'pii.phone', // may ask for unmasked phone numbers
  'pii.idNumber', // may ask for unmasked ID numbers
  'audit.read',
  'tariffs.write', // draft tariff versions and monthly agent-purchase price tables (JSON, CSV, xlsx)
  'tariffs.publish', // publish them (RULES §1–5: the marketing department publishes prices)
  'billing.view', // watch the bill runs (company level); station roles see their accounts' bills anyway
  'billing.run', // start, approve (审核) and issue (发行) bill runs: marketing's central console
  'billing.adjust', // corrections (退补); a station head for its own station's accounts
  'payments.collect', // counter payments (坐收)
  'payments.request', // request a reversal, refund or waiver (approved one level up: payments/domain/permissions.ts)
  'channels.openOrder', // open a payment order for a customer (QR code, link): the roles that serve customers
  'channels.securityLog', // refused callbacks and refund notices of the company's merchant accounts
  'bankfiles.view', // the company's bank debit files (代扣) and their result files
  'bankfiles.import', // import one: it posts payments to every station's accounts, so company level
  'reconciliation.view', // the channel-day report of the company's merchant accounts
  'reconciliation.items', // reconciliation items of accounts in scope (a station head follows up "I paid")
  'reconciliation.manage', // import statements, review differences
  'reads.import', // meter reads in bulk (API, file): the marketing department's metering staff, and the head-end's account
  'feecontrol.view', // prepaid fee control: states, warnings, guards, commands of accounts in scope
  'feecontrol.manage', // run the day's fee control now, edit the blackout calendar and protections, retry or cancel a command
  'feecontrol.approve', // approve a disconnection the guards hold back (bulk needs a second approver)
  'notifications.view', // the notification outbox of accounts in scope and each message's delivery state
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The permissions of one module, e.g. `PermissionOf<'billing'>` = 'billing.view' | 'billing.run' | 'billing.adjust'. */
export type PermissionOf<M extends string> = Extract<Permission, `${M}.${string}`>;

/** Role → permissions: the one table the server checks and the web app mirrors. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: [
    'org.manage', 'customers.write', 'contacts.write', 'pii.phone', 'pii.idNumber', 'audit.read', 'tariffs.write', 'tariffs.publish',
    'billing.view', 'billing.run', 'billing.adjust', 'payments.collect', 'payments.request', 'channels.openOrder', 'channels.securityLog',
    'bankfiles.view', 'bankfiles.import', 'reconciliation.view', 'reconciliation.items', 'reconciliation.manage',
    'reads.import', 'feecontrol.view', 'feecontrol.manage', 'feecontrol.approve', 'notifications.view',
  ],
  company_manager: [
    'pii.phone', 'billing.view', 'channels.securityLog', 'bankfiles.view', 'reconciliation.view', 'reconciliation.items',
    'feecontrol.view', 'feecontrol.approve', 'notifications.view',
  ],
  marketing: [
    'customers.write', 'contacts.write', 'tariffs.write', 'tariffs.publish', 'billing.view', 'billing.run', 'billing.adjust',
    'payments.request', 'channels.openOrder', 'channels.securityLog', 'bankfiles.view', 'bankfiles.import',
    'reconciliation.view', 'reconciliation.items', 'reconciliation.manage',
    'reads.import', 'feecontrol.view', 'feecontrol.manage', 'notifications.view',
  ],
  station_head: [
    'customers.write', 'contacts.write', 'pii.phone', 'pii.idNumber', 'billing.adjust', 'payments.collect', 'payments.request',
    'channels.openOrder', 'reconciliation.items', 'feecontrol.view', 'feecontrol.approve', 'notifications.view',
  ],
  area_manager: ['contacts.write', 'pii.phone', 'payments.request', 'channels.openOrder', 'feecontrol.view', 'notifications.view'],
  cashier: ['pii.phone', 'payments.collect', 'payments.request', 'channels.openOrder', 'feecontrol.view'],
  auditor: [
    'audit.read', 'billing.view', 'channels.securityLog', 'bankfiles.view', 'reconciliation.view', 'reconciliation.items',
    'feecontrol.view', 'notifications.view',
  ],
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
