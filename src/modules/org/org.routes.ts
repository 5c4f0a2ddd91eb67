import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { actorOf, ctxOf, SESSION_COOKIE } from '../../platform/request.js';
import { decodeCursor, DEFAULT_LIMIT, toPage } from '../../shared/pagination.js';
import { notFound } from '../../shared/errors.js';
import { presentArea, presentUser } from './domain/present.js';
import { findAreaInScope, findUserById, findUserInScope, listAreas, listUsers } from './org.repository.js';
import {
  areaList,
  areaQuery,
  areaSchema,
  createAreaBodySchema,
  createStationBodySchema,
  createUserBodySchema,
  idParams,
  loginBodySchema,
  loginResponseSchema,
  orgTreeSchema,
  updateAreaBodySchema,
  updateUserBodySchema,
  userPage,
  userQuery,
  userSchema,
  type AreaQuery,
  type CreateAreaInput,
  type CreateStationInput,
  type CreateUserInput,
  type LoginBody,
  type UpdateAreaInput,
  type UpdateUserInput,
  type UserQuery,
} from './org.types.js';
import { login } from './use-cases/login.js';
import { forgetUserSessions } from './use-cases/authenticate.js';
import { logout } from './use-cases/logout.js';
import { createUser, updateUserAccount } from './use-cases/manage-users.js';
import { createArea, createStation, updateAreaDetails } from './use-cases/manage-org.js';
import { orgTree } from './use-cases/org-tree.js';

type Id = { Params: { id: number } };

export async function orgRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post<{ Body: LoginBody }>(
    '/auth/login',
    {
      config: { public: true, rateLimit: { max: deps.config.loginRateLimit, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], summary: 'Sign in; returns a bearer token (also set as an httpOnly cookie)', security: [], body: loginBodySchema, response: { 200: loginResponseSchema } },
    },
    async (request, reply) => {
      const result = await login(deps.db, {
        ...request.body,
        ip: request.ip,
        now: deps.clock.now(),
        sessionTtlMinutes: deps.config.sessionTtlMinutes,
        lockout: { threshold: deps.config.lockoutThreshold, minutes: deps.config.lockoutMinutes },
      });
      reply.setCookie(SESSION_COOKIE, result.token, { httpOnly: true, sameSite: 'strict', path: '/', expires: new Date(result.expiresAt), secure: deps.config.cookieSecure || request.protocol === 'https' });
      return result;
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'Sign out (ends this session)', response: { 204: { type: 'null' } } } }, async (request, reply) => {
    await logout(deps.db, ctxOf(request, deps), request.sessionToken!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: userSchema } } }, async (request) => {
    const user = await findUserById(deps.db, actorOf(request).userId);
    if (!user) throw notFound('user');
    return presentUser(user);
  });

  app.get('/org/tree', { schema: { tags: ['org'], summary: 'Company → stations → area managers → transformer areas, within your scope', response: { 200: orgTreeSchema } } }, async (request) =>
    orgTree(deps.db, actorOf(request).scope),
  );

  app.post<{ Body: CreateStationInput }>(
    '/org/stations',
    { schema: { tags: ['org'], summary: 'Create a supply station (admin)', body: createStationBodySchema } },
    async (request, reply) => {
      const unit = await inTransaction(deps.db, (trx) => createStation(trx, ctxOf(request, deps), request.body));
      return reply.code(201).send({ id: unit.id, code: unit.code, name: unit.name, nameEn: unit.name_en });
    },
  );

  app.get<{ Querystring: AreaQuery }>(
    '/areas',
    {
      schema: {
        tags: ['org'],
        summary: 'Transformer areas within your scope',
        querystring: areaQuery,
        response: { 200: areaList },
      },
    },
    async (request) => ({ items: (await listAreas(deps.db, actorOf(request).scope, request.query)).map(presentArea) }),
  );

  app.get<Id>('/areas/:id', { schema: { tags: ['org'], summary: 'One transformer area within your scope', params: idParams, response: { 200: areaSchema } } }, async (request) => {
    const area = await findAreaInScope(deps.db, actorOf(request).scope, request.params.id);
    if (!area) throw notFound('transformer area');
    return presentArea(area);
  });

  app.post<{ Body: CreateAreaInput }>(
    '/areas',
    { schema: { tags: ['org'], summary: 'Create a transformer area (admin)', body: createAreaBodySchema, response: { 201: areaSchema } } },
    async (request, reply) => reply.code(201).send(presentArea(await inTransaction(deps.db, (trx) => createArea(trx, ctxOf(request, deps), request.body)))),
  );

  app.patch<Id & { Body: UpdateAreaInput }>(
    '/areas/:id',
    { schema: { tags: ['org'], summary: 'Rename an area, assign its manager (admin)', params: idParams, body: updateAreaBodySchema, response: { 200: areaSchema } } },
    async (request) => presentArea(await inTransaction(deps.db, (trx) => updateAreaDetails(trx, ctxOf(request, deps), request.params.id, request.body))),
  );

  app.get<{ Querystring: UserQuery }>(
    '/users',
    {
      schema: {
        tags: ['org'],
        summary: 'Users within your scope',
        querystring: userQuery,
        response: { 200: userPage },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const rows = await listUsers(deps.db, actorOf(request).scope, { ...request.query, afterId: decodeCursor(request.query.cursor), limit });
      const p = toPage(rows, limit);
      return { items: p.items.map(presentUser), nextCursor: p.nextCursor };
    },
  );

  app.get<Id>('/users/:id', { schema: { tags: ['org'], summary: 'One user within your scope', params: idParams, response: { 200: userSchema } } }, async (request) => {
    const user = await findUserInScope(deps.db, actorOf(request).scope, request.params.id);
    if (!user) throw notFound('user');
    return presentUser(user);
  });

  app.post<{ Body: CreateUserInput }>('/users', { schema: { tags: ['org'], summary: 'Create a user (admin)', body: createUserBodySchema, response: { 201: userSchema } } }, async (request, reply) =>
    reply.code(201).send(presentUser(await inTransaction(deps.db, (trx) => createUser(trx, ctxOf(request, deps), request.body)))),
  );

  app.patch<Id & { Body: UpdateUserInput }>(
    '/users/:id',
    { schema: { tags: ['org'], summary: 'Change, disable or reset the password of a user (admin)', params: idParams, body: updateUserBodySchema, response: { 200: userSchema } } },
    async (request) => {
      const user = await inTransaction(deps.db, (trx) => updateUserAccount(trx, ctxOf(request, deps), request.params.id, request.body));
      forgetUserSessions(user.id); // committed: the user's next request sees the change
      return presentUser(user);
    },
  );
}
