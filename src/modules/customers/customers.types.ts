/** JSON schemas of the customers API (validated by Fastify, listed in OpenAPI). */

export const CATEGORIES = ['residential', 'commercial', 'large_industry', 'agriculture', 'public', 'heating'] as const;
export const VOLTAGE_LEVELS = ['0.22kV', '0.4kV', '10kV', '35kV', '110kV'] as const;
export const PAYMENT_MODES = ['postpaid', 'smart_prepaid', 'purchase_before_use'] as const;
export const BEHAVIOUR_PROFILES = ['prompt', 'late_but_pays', 'chronic_late', 'defaulting', 'disputing'] as const;
export const REGISTERS = ['total', 'peak', 'flat', 'valley', 'critical', 'reactive', 'max_demand'] as const;
export const CONTACT_ROLES = ['owner', 'payer', 'electrician', 'finance', 'other'] as const;
export const CONTRACT_KINDS = ['supply', 'split_settlement', 'purchase_before_use', 'prepaid_agreement'] as const;

const decimal2 = (max = 10) => ({ type: 'string', pattern: `^[0-9]{1,${max}}(\\.[0-9]{1,2})?$` }) as const;
const nullable = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] }) as const;
const phone = { type: 'string', pattern: '^[0-9+ -]{5,20}$' } as const;
const date = { type: 'string', format: 'date' } as const;
const code = { type: 'string', pattern: '^[0-9A-Za-z._-]{2,40}$' } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

export { idParams } from '../../platform/schemas.js';

export const contactInput = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: text(100), phone: nullable(phone), role: { type: 'string', enum: [...CONTACT_ROLES] }, isPrimary: { type: 'boolean' } },
} as const;

const accountFields = {
  name: text(200),
  address: nullable({ type: 'string', maxLength: 300 }),
  category: { type: 'string', enum: [...CATEGORIES] },
  voltageLevel: { type: 'string', enum: [...VOLTAGE_LEVELS] },
  paymentMode: { type: 'string', enum: [...PAYMENT_MODES] },
  tariffCode: { type: 'string', pattern: '^[a-z0-9.-]{3,64}$' },
  pfStandard: nullable({ type: 'string', enum: ['0.80', '0.85', '0.90'] }),
  capacityKva: nullable(decimal2()),
  contractDemandKw: nullable(decimal2()),
  basicChargeBasis: nullable({ type: 'string', enum: ['capacity', 'demand'] }),
  agentMultiplier: { type: 'string', enum: ['1', '1.5'] },
  sharedMeter: { type: 'boolean' },
  isImportant: { type: 'boolean' },
  isMedical: { type: 'boolean' },
  isHeatingCompany: { type: 'boolean' },
  isVulnerable: { type: 'boolean' },
  behaviourProfile: nullable({ type: 'string', enum: [...BEHAVIOUR_PROFILES] }),
  areaId: { type: 'integer', minimum: 1 },
  status: { type: 'string', enum: ['active', 'closed'] },
} as const;

export const createAccountBody = {
  type: 'object',
  additionalProperties: false,
  required: ['accountNo', 'customerId', 'areaId', 'name', 'category', 'voltageLevel', 'paymentMode', 'tariffCode'],
  properties: {
    accountNo: { type: 'string', pattern: '^[0-9A-Za-z-]{4,32}$' },
    customerId: { type: 'integer', minimum: 1 },
    openedOn: date,
    contacts: { type: 'array', maxItems: 20, items: contactInput },
    ...accountFields,
  },
} as const;

export const updateAccountBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: accountFields } as const;

export const replaceContactsBody = { type: 'object', additionalProperties: false, required: ['contacts'], properties: { contacts: { type: 'array', maxItems: 20, items: contactInput } } } as const;

const customerFields = {
  kind: { type: 'string', enum: ['person', 'organisation'] },
  name: text(200),
  idNumber: nullable({ type: 'string', pattern: '^[0-9A-Za-z]{6,30}$' }),
  phone: nullable(phone),
  address: nullable({ type: 'string', maxLength: 300 }),
  stationId: { type: 'integer', minimum: 1 },
} as const;

export const createCustomerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['customerNo', 'kind', 'name', 'stationId'],
  properties: { customerNo: code, ...customerFields },
} as const;

export const updateCustomerBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: customerFields } as const;

export const createMeterBody = {
  type: 'object',
  additionalProperties: false,
  required: ['accountId', 'meterNo', 'registers'],
  properties: {
    accountId: { type: 'integer', minimum: 1 },
    meterNo: code,
    registers: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...REGISTERS] } },
    multiplier: decimal2(8),
    smart: { type: 'boolean' },
    installedOn: date,
  },
} as const;

export const updateMeterBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    registers: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...REGISTERS] } },
    multiplier: decimal2(8),
    smart: { type: 'boolean' },
    status: { type: 'string', enum: ['active', 'removed'] },
  },
} as const;

const contractFields = {
  kind: { type: 'string', enum: [...CONTRACT_KINDS] },
  signedOn: date,
  startsOn: date,
  endsOn: nullable(date),
  dueDay: nullable({ type: 'integer', minimum: 1, maximum: 28 }),
  terms: { type: 'object', maxProperties: 50 },
} as const;

export const createContractBody = {
  type: 'object',
  additionalProperties: false,
  required: ['accountId', 'contractNo', 'kind', 'signedOn', 'startsOn'],
  properties: { accountId: { type: 'integer', minimum: 1 }, contractNo: code, ...contractFields },
} as const;

export const updateContractBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: contractFields } as const;

export const accountSearchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 64 },
    stationId: { type: 'integer', minimum: 1 },
    areaId: { type: 'integer', minimum: 1 },
    managerUserId: { type: 'integer', minimum: 1 },
    customerId: { type: 'integer', minimum: 1 },
    category: { type: 'string', enum: [...CATEGORIES] },
    paymentMode: { type: 'string', enum: [...PAYMENT_MODES] },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    cursor: { type: 'string', maxLength: 64 },
  },
} as const;

export const unmaskQuery = { type: 'object', additionalProperties: false, properties: { unmask: { type: 'boolean' } } } as const;

const nstr = { type: ['string', 'null'] } as const;

export const accountSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    accountNo: { type: 'string' },
    name: { type: 'string' },
    customerId: { type: 'integer' },
    category: { type: 'string' },
    voltageLevel: { type: 'string' },
    paymentMode: { type: 'string' },
    tariffCode: { type: 'string' },
    status: { type: 'string' },
    stationId: { type: 'integer' },
    stationName: { type: 'string' },
    areaId: { type: 'integer' },
    areaName: { type: 'string' },
    managerName: nstr,
    phone: nstr,
    meterNo: nstr,
  },
} as const;

export const customerSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    customerNo: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    idNumber: nstr,
    phone: nstr,
    address: nstr,
    stationId: { type: 'integer' },
    masked: { type: 'boolean' },
    canUnmask: { type: 'boolean' },
  },
} as const;

export const contactSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, phone: nstr, role: { type: 'string' }, isPrimary: { type: 'boolean' } },
} as const;

export const meterSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    accountId: { type: 'integer' },
    meterNo: { type: 'string' },
    registers: { type: 'array', items: { type: 'string' } },
    multiplier: { type: 'string' },
    smart: { type: 'boolean' },
    installedOn: { type: 'string' },
    status: { type: 'string' },
  },
} as const;

export const contractSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    accountId: { type: 'integer' },
    contractNo: { type: 'string' },
    kind: { type: 'string' },
    signedOn: { type: 'string' },
    startsOn: { type: 'string' },
    endsOn: nstr,
    dueDay: { type: ['integer', 'null'] },
    terms: { type: 'object', additionalProperties: true },
  },
} as const;

export const accountSchema = {
  type: 'object',
  properties: {
    ...accountSummarySchema.properties,
    address: nstr,
    pfStandard: nstr,
    capacityKva: nstr,
    contractDemandKw: nstr,
    basicChargeBasis: nstr,
    agentMultiplier: { type: 'string' },
    sharedMeter: { type: 'boolean' },
    isImportant: { type: 'boolean' },
    isMedical: { type: 'boolean' },
    isHeatingCompany: { type: 'boolean' },
    isVulnerable: { type: 'boolean' },
    behaviourProfile: nstr,
    openedOn: { type: 'string' },
    canUnmask: { type: 'boolean' },
    masked: { type: 'boolean' },
    customer: customerSchema,
    contacts: { type: 'array', items: contactSchema },
    meters: { type: 'array', items: meterSchema },
    contracts: { type: 'array', items: contractSchema },
  },
} as const;


export interface ContactInput {
  name: string;
  phone?: string | null;
  role?: (typeof CONTACT_ROLES)[number];
  isPrimary?: boolean;
}

export interface AccountInput {
  name?: string;
  address?: string | null;
  category?: (typeof CATEGORIES)[number];
  voltageLevel?: (typeof VOLTAGE_LEVELS)[number];
  paymentMode?: (typeof PAYMENT_MODES)[number];
  tariffCode?: string;
  pfStandard?: '0.80' | '0.85' | '0.90' | null;
  capacityKva?: string | null;
  contractDemandKw?: string | null;
  basicChargeBasis?: 'capacity' | 'demand' | null;
  agentMultiplier?: '1' | '1.5';
  sharedMeter?: boolean;
  isImportant?: boolean;
  isMedical?: boolean;
  isHeatingCompany?: boolean;
  isVulnerable?: boolean;
  behaviourProfile?: (typeof BEHAVIOUR_PROFILES)[number] | null;
  areaId?: number;
  status?: 'active' | 'closed';
}

export interface CreateAccountInput extends AccountInput {
  accountNo: string;
  customerId: number;
  areaId: number;
  name: string;
  category: (typeof CATEGORIES)[number];
  voltageLevel: (typeof VOLTAGE_LEVELS)[number];
  paymentMode: (typeof PAYMENT_MODES)[number];
  tariffCode: string;
  openedOn?: string;
  contacts?: ContactInput[];
}

export interface CustomerInput {
  kind?: 'person' | 'organisation';
  name?: string;
  idNumber?: string | null;
  phone?: string | null;
  address?: string | null;
  stationId?: number;
}

export interface CreateCustomerInput extends CustomerInput {
  customerNo: string;
  kind: 'person' | 'organisation';
  name: string;
  stationId: number;
}

export interface MeterInput {
  registers?: (typeof REGISTERS)[number][];
  multiplier?: string;
  smart?: boolean;
  status?: 'active' | 'removed';
}

export interface CreateMeterInput extends MeterInput {
  accountId: number;
  meterNo: string;
  registers: (typeof REGISTERS)[number][];
  installedOn?: string;
}

export interface ContractInput {
  kind?: (typeof CONTRACT_KINDS)[number];
  signedOn?: string;
  startsOn?: string;
  endsOn?: string | null;
  dueDay?: number | null;
  terms?: Record<string, unknown>;
}

export interface CreateContractInput extends ContractInput {
  accountId: number;
  contractNo: string;
  kind: (typeof CONTRACT_KINDS)[number];
  signedOn: string;
  startsOn: string;
}
