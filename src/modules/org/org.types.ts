/**
 * The org API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types the
 * use cases return and the web app imports.
 */
import { idParams, Nullable, pageOf, pageQuery, StringEnum, Type, type Static } from '../../platform/schemas.js';
import { ROLES } from './domain/roles.js';

export { idParams };

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

const phone = Type.String({ pattern: '^[0-9+ -]{5,20}$' });
const unitCode = Type.String({ pattern: '^[A-Za-z0-9._-]{1,40}$' });
const capacityKva = Type.String({ pattern: '^[0-9]{1,10}(\\.[0-9]{1,2})?$' });

/** A user as the API shows it (never the password hash). */
export const userSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: StringEnum(ROLES),
  orgUnitId: Type.Integer(),
  orgUnitName: Type.String(),
  orgUnitNameEn: Nullable(Type.String()),
  companyId: Type.Integer(),
  stationId: Nullable(Type.Integer()),
  phone: Nullable(Type.String()),
  status: StringEnum(USER_STATUSES),
  lockedUntil: Nullable(Type.String({ format: 'date-time' })),
});
export type User = Static<typeof userSchema>;

export const loginBodySchema = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof loginBodySchema>;

export const loginResponseSchema = Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: userSchema });
export type LoginResponse = Static<typeof loginResponseSchema>;

export const userQuery = Type.Object(
  { ...pageQuery.properties, role: Type.Optional(StringEnum(ROLES)), q: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export type UserQuery = Static<typeof userQuery>;

export const userPage = pageOf(userSchema);

export const createUserBodySchema = Type.Object(
  {
    username: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,62}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    role: StringEnum(ROLES),
    orgUnitId: Type.Integer({ minimum: 1 }),
    phone: Type.Optional(Nullable(phone)),
    password: Type.String({ minLength: 10, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type CreateUserInput = Static<typeof createUserBodySchema>;

export const updateUserBodySchema = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    role: Type.Optional(StringEnum(ROLES)),
    orgUnitId: Type.Optional(Type.Integer({ minimum: 1 })),
    phone: Type.Optional(Nullable(phone)),
    status: Type.Optional(StringEnum(USER_STATUSES)),
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 256 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserInput = Static<typeof updateUserBodySchema>;

export const areaSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  stationId: Type.Integer(),
  managerUserId: Nullable(Type.Integer()),
  managerName: Nullable(Type.String()),
  capacityKva: Nullable(Type.String()),
});
export type Area = Static<typeof areaSchema>;

export const areaQuery = Type.Object(
  { stationId: Type.Optional(Type.Integer({ minimum: 1 })), managerUserId: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
export type AreaQuery = Static<typeof areaQuery>;

/** Every area in scope at once (no cursor). */
export const areaList = Type.Object({ items: Type.Array(areaSchema) });

export const createAreaBodySchema = Type.Object(
  {
    code: unitCode,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    stationId: Type.Integer({ minimum: 1 }),
    managerUserId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    capacityKva: Type.Optional(Nullable(capacityKva)),
  },
  { additionalProperties: false },
);
export type CreateAreaInput = Static<typeof createAreaBodySchema>;

export const updateAreaBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    managerUserId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    capacityKva: Type.Optional(Nullable(capacityKva)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateAreaInput = Static<typeof updateAreaBodySchema>;

export const createStationBodySchema = Type.Object(
  { code: unitCode, name: Type.String({ minLength: 1, maxLength: 100 }), nameEn: Type.Optional(Nullable(Type.String({ maxLength: 100 }))) },
  { additionalProperties: false },
);
export type CreateStationInput = Static<typeof createStationBodySchema>;

/** company → stations → area managers → transformer areas. */
export const orgTreeSchema = Type.Object({
  company: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), nameEn: Nullable(Type.String()) }),
  stations: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      name: Type.String(),
      nameEn: Nullable(Type.String()),
      managers: Type.Array(Type.Object({ userId: Nullable(Type.Integer()), name: Nullable(Type.String()), areas: Type.Array(areaSchema) })),
    }),
  ),
});
export type OrgTree = Static<typeof orgTreeSchema>;
