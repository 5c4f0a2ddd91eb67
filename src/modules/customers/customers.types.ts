/**
 * The customers API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases return and the web app imports.
 */
import { idParams, Nullable, pageOf, pageQuery, StringEnum, Type, type Static, type TSchema } from '../../platform/schemas.js';
import {
  ACCOUNT_STATUSES,
  BASIC_CHARGE_BASES,
  BEHAVIOUR_PROFILES,
  CATEGORIES,
  CONTACT_ROLES,
  CONTRACT_KINDS,
  CUSTOMER_KINDS,
  METER_STATUSES,
  PAYMENT_MODES,
  REGISTERS,
  VOLTAGE_LEVELS,
} from './domain/enums.js';

export { idParams };

/** A request field that may also be null, as `anyOf` (so a value of the wrong kind is reported against the value's own schema). */
const OrNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A response field of a closed set of strings, or null. */
const NullableEnum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number] | null>({ type: ['string', 'null'], enum: [...values, null] });
/** A JSON object of any keys (contract terms). */
const JsonObject = (options: { maxProperties?: number; additionalProperties?: true } = {}) => Type.Unsafe<Record<string, unknown>>({ type: 'object', ...options });

const decimal2 = (max = 10) => Type.String({ pattern: `^[0-9]{1,${max}}(\\.[0-9]{1,2})?$` });
const phone = Type.String({ pattern: '^[0-9+ -]{5,20}$' });
const date = Type.String({ format: 'date' });
const code = Type.String({ pattern: '^[0-9A-Za-z._-]{2,40}$' });
const text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const accountName = text(200);
const tariffCode = Type.String({ pattern: '^[a-z0-9.-]{3,64}$' });
const areaId = Type.Integer({ minimum: 1 });

export const contactInput = Type.Object(
  { name: text(100), phone: Type.Optional(OrNull(phone)), role: Type.Optional(StringEnum(CONTACT_ROLES)), isPrimary: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ContactInput = Static<typeof contactInput>;

/** An account's fields that a change may set (all of them optional here; an opening requires some). */
const accountFields = {
  name: Type.Optional(accountName),
  address: Type.Optional(OrNull(Type.String({ maxLength: 300 }))),
  category: Type.Optional(StringEnum(CATEGORIES)),
  voltageLevel: Type.Optional(StringEnum(VOLTAGE_LEVELS)),
  paymentMode: Type.Optional(StringEnum(PAYMENT_MODES)),
  tariffCode: Type.Optional(tariffCode),
  pfStandard: Type.Optional(OrNull(StringEnum(['0.80', '0.85', '0.90'] as const))),
  capacityKva: Type.Optional(OrNull(decimal2())),
  contractDemandKw: Type.Optional(OrNull(decimal2())),
  basicChargeBasis: Type.Optional(OrNull(StringEnum(BASIC_CHARGE_BASES))),
  agentMultiplier: Type.Optional(StringEnum(['1', '1.5'] as const)),
  sharedMeter: Type.Optional(Type.Boolean()),
  isImportant: Type.Optional(Type.Boolean()),
  isMedical: Type.Optional(Type.Boolean()),
  isHeatingCompany: Type.Optional(Type.Boolean()),
  isVulnerable: Type.Optional(Type.Boolean()),
  behaviourProfile: Type.Optional(OrNull(StringEnum(BEHAVIOUR_PROFILES))),
  areaId: Type.Optional(areaId),
  status: Type.Optional(StringEnum(ACCOUNT_STATUSES)),
};

export const createAccountBody = Type.Object(
  {
    accountNo: Type.String({ pattern: '^[0-9A-Za-z-]{4,32}$' }),
    customerId: Type.Integer({ minimum: 1 }),
    openedOn: Type.Optional(date),
    contacts: Type.Optional(Type.Array(contactInput, { maxItems: 20 })),
    ...accountFields,
    name: accountName,
    category: StringEnum(CATEGORIES),
    voltageLevel: StringEnum(VOLTAGE_LEVELS),
    paymentMode: StringEnum(PAYMENT_MODES),
    tariffCode,
    areaId,
  },
  { additionalProperties: false },
);
export type CreateAccountInput = Static<typeof createAccountBody>;

export const updateAccountBody = Type.Object(accountFields, { additionalProperties: false, minProperties: 1 });
export type AccountInput = Static<typeof updateAccountBody>;

export const replaceContactsBody = Type.Object({ contacts: Type.Array(contactInput, { maxItems: 20 }) }, { additionalProperties: false });

const customerFields = {
  kind: Type.Optional(StringEnum(CUSTOMER_KINDS)),
  name: Type.Optional(text(200)),
  idNumber: Type.Optional(OrNull(Type.String({ pattern: '^[0-9A-Za-z]{6,30}$' }))),
  phone: Type.Optional(OrNull(phone)),
  address: Type.Optional(OrNull(Type.String({ maxLength: 300 }))),
  stationId: Type.Optional(Type.Integer({ minimum: 1 })),
};

export const createCustomerBody = Type.Object(
  { customerNo: code, ...customerFields, kind: StringEnum(CUSTOMER_KINDS), name: text(200), stationId: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type CreateCustomerInput = Static<typeof createCustomerBody>;

export const updateCustomerBody = Type.Object(customerFields, { additionalProperties: false, minProperties: 1 });
export type CustomerInput = Static<typeof updateCustomerBody>;

const registers = Type.Array(StringEnum(REGISTERS), { minItems: 1, uniqueItems: true });

export const createMeterBody = Type.Object(
  {
    accountId: Type.Integer({ minimum: 1 }),
    meterNo: code,
    registers,
    multiplier: Type.Optional(decimal2(8)),
    smart: Type.Optional(Type.Boolean()),
    installedOn: Type.Optional(date),
  },
  { additionalProperties: false },
);
export type CreateMeterInput = Static<typeof createMeterBody>;

export const updateMeterBody = Type.Object(
  {
    registers: Type.Optional(registers),
    multiplier: Type.Optional(decimal2(8)),
    smart: Type.Optional(Type.Boolean()),
    status: Type.Optional(StringEnum(METER_STATUSES)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type MeterInput = Static<typeof updateMeterBody>;

const contractFields = {
  kind: Type.Optional(StringEnum(CONTRACT_KINDS)),
  signedOn: Type.Optional(date),
  startsOn: Type.Optional(date),
  endsOn: Type.Optional(OrNull(date)),
  dueDay: Type.Optional(OrNull(Type.Integer({ minimum: 1, maximum: 28 }))),
  terms: Type.Optional(JsonObject({ maxProperties: 50 })),
};

export const createContractBody = Type.Object(
  { accountId: Type.Integer({ minimum: 1 }), contractNo: code, ...contractFields, kind: StringEnum(CONTRACT_KINDS), signedOn: date, startsOn: date },
  { additionalProperties: false },
);
export type CreateContractInput = Static<typeof createContractBody>;

export const updateContractBody = Type.Object(contractFields, { additionalProperties: false, minProperties: 1 });
export type ContractInput = Static<typeof updateContractBody>;

export const accountSearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 64 })),
    stationId: Type.Optional(Type.Integer({ minimum: 1 })),
    areaId: Type.Optional(Type.Integer({ minimum: 1 })),
    managerUserId: Type.Optional(Type.Integer({ minimum: 1 })),
    customerId: Type.Optional(Type.Integer({ minimum: 1 })),
    category: Type.Optional(StringEnum(CATEGORIES)),
    paymentMode: Type.Optional(StringEnum(PAYMENT_MODES)),
    ...pageQuery.properties,
  },
  { additionalProperties: false },
);
export type AccountSearchQuery = Static<typeof accountSearchQuery>;

export const customerSearchQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 64 })), ...pageQuery.properties }, { additionalProperties: false });
export type CustomerSearchQuery = Static<typeof customerSearchQuery>;

export const unmaskQuery = Type.Object({ unmask: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type UnmaskQuery = Static<typeof unmaskQuery>;

/** An account as search results list it; the phone is masked. */
export const accountSummarySchema = Type.Object({
  id: Type.Integer(),
  accountNo: Type.String(),
  name: Type.String(),
  customerId: Type.Integer(),
  category: StringEnum(CATEGORIES),
  voltageLevel: StringEnum(VOLTAGE_LEVELS),
  paymentMode: StringEnum(PAYMENT_MODES),
  tariffCode: Type.String(),
  status: StringEnum(ACCOUNT_STATUSES),
  stationId: Type.Integer(),
  stationName: Type.String(),
  areaId: Type.Integer(),
  areaName: Type.String(),
  managerName: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  meterNo: Nullable(Type.String()),
});
export type AccountSummary = Static<typeof accountSummarySchema>;
export const accountPage = pageOf(accountSummarySchema);

export const customerSchema = Type.Object({
  id: Type.Integer(),
  customerNo: Type.String(),
  kind: StringEnum(CUSTOMER_KINDS),
  name: Type.String(),
  idNumber: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  stationId: Type.Integer(),
  masked: Type.Boolean(),
  canUnmask: Type.Boolean(),
});
export type Customer = Static<typeof customerSchema>;
export const customerPage = pageOf(customerSchema);

export const contactSchema = Type.Object({ id: Type.Integer(), name: Type.String(), phone: Nullable(Type.String()), role: StringEnum(CONTACT_ROLES), isPrimary: Type.Boolean() });
export type Contact = Static<typeof contactSchema>;

export const meterSchema = Type.Object({
  id: Type.Integer(),
  accountId: Type.Integer(),
  meterNo: Type.String(),
  registers: Type.Array(StringEnum(REGISTERS)),
  multiplier: Type.String(),
  smart: Type.Boolean(),
  installedOn: Type.String(),
  status: StringEnum(METER_STATUSES),
});
export type Meter = Static<typeof meterSchema>;

export const contractSchema = Type.Object({
  id: Type.Integer(),
  accountId: Type.Integer(),
  contractNo: Type.String(),
  kind: StringEnum(CONTRACT_KINDS),
  signedOn: Type.String(),
  startsOn: Type.String(),
  endsOn: Nullable(Type.String()),
  dueDay: Nullable(Type.Integer()),
  terms: JsonObject({ additionalProperties: true }),
});
export type Contract = Static<typeof contractSchema>;

/** One account with its customer, contacts, meters and contracts; personal data masked unless asked for and allowed. */
export const accountSchema = Type.Object({
  ...accountSummarySchema.properties,
  address: Nullable(Type.String()),
  pfStandard: Nullable(Type.String()),
  capacityKva: Nullable(Type.String()),
  contractDemandKw: Nullable(Type.String()),
  basicChargeBasis: NullableEnum(BASIC_CHARGE_BASES),
  agentMultiplier: Type.String(),
  sharedMeter: Type.Boolean(),
  isImportant: Type.Boolean(),
  isMedical: Type.Boolean(),
  isHeatingCompany: Type.Boolean(),
  isVulnerable: Type.Boolean(),
  behaviourProfile: NullableEnum(BEHAVIOUR_PROFILES),
  openedOn: Type.String(),
  canUnmask: Type.Boolean(),
  masked: Type.Boolean(),
  customer: customerSchema,
  contacts: Type.Array(contactSchema),
  meters: Type.Array(meterSchema),
  contracts: Type.Array(contractSchema),
});
export type Account = Static<typeof accountSchema>;
