/**
 * The closed lists of values of customers, accounts, contacts, meters and contracts: the API's schemas
 * (customers.types.ts) and the database's checks (001_foundation.sql) hold them to these, and the web
 * app offers them. Pure data, no imports, so the web build can take it as it is.
 */
export const CATEGORIES = ['residential', 'commercial', 'large_industry', 'agriculture', 'public', 'heating'] as const;
export type Category = (typeof CATEGORIES)[number];

export const VOLTAGE_LEVELS = ['0.22kV', '0.4kV', '10kV', '35kV', '110kV'] as const;
export type VoltageLevel = (typeof VOLTAGE_LEVELS)[number];

export const PAYMENT_MODES = ['postpaid', 'smart_prepaid', 'purchase_before_use'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

export const BASIC_CHARGE_BASES = ['capacity', 'demand'] as const;
export type BasicChargeBasis = (typeof BASIC_CHARGE_BASES)[number];

export const BEHAVIOUR_PROFILES = ['prompt', 'late_but_pays', 'chronic_late', 'defaulting', 'disputing'] as const;
export type BehaviourProfile = (typeof BEHAVIOUR_PROFILES)[number];

export const ACCOUNT_STATUSES = ['active', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const CUSTOMER_KINDS = ['person', 'organisation'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

export const CONTACT_ROLES = ['owner', 'payer', 'electrician', 'finance', 'other'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const REGISTERS = ['total', 'peak', 'flat', 'valley', 'critical', 'reactive', 'max_demand'] as const;
export type Register = (typeof REGISTERS)[number];

export const METER_STATUSES = ['active', 'removed'] as const;
export type MeterStatus = (typeof METER_STATUSES)[number];

export const CONTRACT_KINDS = ['supply', 'split_settlement', 'purchase_before_use', 'prepaid_agreement'] as const;
export type ContractKind = (typeof CONTRACT_KINDS)[number];
