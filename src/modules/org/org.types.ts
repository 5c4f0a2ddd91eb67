import { ROLES } from './domain/roles.js';

/** JSON schemas of the org API (validated by Fastify, listed in OpenAPI). */

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    orgUnitId: { type: 'integer' },
    orgUnitName: { type: 'string' },
    orgUnitNameEn: { type: ['string', 'null'] },
    companyId: { type: 'integer' },
    stationId: { type: ['integer', 'null'] },
    phone: { type: ['string', 'null'] },
    status: { type: 'string' },
    lockedUntil: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const loginBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

export const loginResponseSchema = {
  type: 'object',
  properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, user: userSchema },
} as const;

export const createUserBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'displayName', 'role', 'orgUnitId', 'password'],
  properties: {
    username: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{1,62}$' },
    displayName: { type: 'string', minLength: 1, maxLength: 100 },
    role: { type: 'string', enum: [...ROLES] },
    orgUnitId: { type: 'integer', minimum: 1 },
    phone: { type: ['string', 'null'], pattern: '^[0-9+ -]{5,20}$' },
    password: { type: 'string', minLength: 10, maxLength: 256 },
  },
} as const;

export const updateUserBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    displayName: { type: 'string', minLength: 1, maxLength: 100 },
    role: { type: 'string', enum: [...ROLES] },
    orgUnitId: { type: 'integer', minimum: 1 },
    phone: { type: ['string', 'null'], pattern: '^[0-9+ -]{5,20}$' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    password: { type: 'string', minLength: 10, maxLength: 256 },
  },
} as const;

export const areaSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    code: { type: 'string' },
    name: { type: 'string' },
    stationId: { type: 'integer' },
    managerUserId: { type: ['integer', 'null'] },
    managerName: { type: ['string', 'null'] },
    capacityKva: { type: ['string', 'null'] },
  },
} as const;

export const createAreaBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'stationId'],
  properties: {
    code: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,40}$' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    stationId: { type: 'integer', minimum: 1 },
    managerUserId: { type: ['integer', 'null'], minimum: 1 },
    capacityKva: { type: ['string', 'null'], pattern: '^[0-9]{1,10}(\\.[0-9]{1,2})?$' },
  },
} as const;

export const updateAreaBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    managerUserId: { type: ['integer', 'null'], minimum: 1 },
    capacityKva: { type: ['string', 'null'], pattern: '^[0-9]{1,10}(\\.[0-9]{1,2})?$' },
  },
} as const;

export const createStationBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name'],
  properties: {
    code: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,40}$' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    nameEn: { type: ['string', 'null'], maxLength: 100 },
  },
} as const;

export const orgTreeSchema = {
  type: 'object',
  properties: {
    company: { type: 'object', properties: { id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, nameEn: { type: ['string', 'null'] } } },
    stations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          code: { type: 'string' },
          name: { type: 'string' },
          nameEn: { type: ['string', 'null'] },
          managers: {
            type: 'array',
            items: {
              type: 'object',
              properties: { userId: { type: ['integer', 'null'] }, name: { type: ['string', 'null'] }, areas: { type: 'array', items: areaSchema } },
            },
          },
        },
      },
    },
  },
} as const;
