import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';
import { isFullPhone } from './domain/phone-search.js';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { decodeCursor, DEFAULT_LIMIT } from '../../shared/pagination.js';
import {
  accountPage,
  accountSchema,
  accountSearchQuery,
  contractSchema,
  createAccountBody,
  createContractBody,
  createCustomerBody,
  createMeterBody,
  customerPage,
  customerSchema,
  customerSearchQuery,
  idParams,
  meterSchema,
  replaceContactsBody,
  unmaskQuery,
  updateAccountBody,
  updateContractBody,
  updateCustomerBody,
  updateMeterBody,
  type AccountInput,
  type AccountSearchQuery,
  type ContactInput,
  type ContractInput,
  type CreateAccountInput,
  type CreateContractInput,
  type CreateCustomerInput,
  type CreateMeterInput,
  type CustomerInput,
  type CustomerSearchQuery,
  type MeterInput,
  type UnmaskQuery,
} from './customers.types.js';
import { createAccount, findAccounts, getAccount, setContacts, updateAccountDetails } from './use-cases/accounts.js';
import { createCustomer, findCustomers, getCustomer, updateCustomerDetails } from './use-cases/customers.js';
import { addContract, addMeter, changeContract, changeMeter, getContract, getMeter } from './use-cases/meters-contracts.js';

type Id = { Params: { id: number } };
type Unmask = { Querystring: UnmaskQuery };

export async function customersRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const tx = <T>(work: Parameters<typeof inTransaction<T>>[1]) => inTransaction(deps.db, work);
  // Searches by a full phone number, per user: trying the hidden digits of a masked number takes thousands.
  const phoneSearches = app.createRateLimit({ max: deps.config.phoneSearchRateLimit, timeWindow: '1 minute', keyGenerator: (r) => `phone-search:${r.actor?.userId}` });
  const limitPhoneSearch = async (request: FastifyRequest<{ Querystring: { q?: string } }>) => {
    if (!isFullPhone(request.query.q)) return;
    const limit = await phoneSearches(request);
    if (!limit.isAllowed && limit.isExceeded)
      throw new AppError('RATE_LIMITED', `too many searches by phone number; try again in ${limit.ttlInSeconds} s`, { retryAfterSeconds: limit.ttlInSeconds });
  };

  app.get<{ Querystring: AccountSearchQuery }>(
    '/accounts',
    {
      schema: {
        tags: ['customers'],
        summary: 'Search accounts within your scope: account no., name, meter no., the last 4 digits of a phone; a full phone number only for roles that may see phones (audited, GRANARY_PHONE_SEARCH_RATE_LIMIT a minute)',
        querystring: accountSearchQuery,
        response: { 200: accountPage },
      },
      preHandler: limitPhoneSearch,
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      return findAccounts(deps.db, ctxOf(request, deps), { ...request.query, afterId: decodeCursor(request.query.cursor), limit });
    },
  );

  app.get<Id & Unmask>(
    '/accounts/:id',
    { schema: { tags: ['customers'], summary: 'One account with customer, contacts, meters, contracts; ?unmask=true shows personal data (audited)', params: idParams, querystring: unmaskQuery, response: { 200: accountSchema } } },
    async (request) => getAccount(deps.db, ctxOf(request, deps), request.params.id, request.query.unmask === true),
  );

  app.post<{ Body: CreateAccountInput }>(
    '/accounts',
    { schema: { tags: ['customers'], summary: 'Open an account for a customer', body: createAccountBody, response: { 201: accountSchema } } },
    async (request, reply) => reply.code(201).send(await tx((trx) => createAccount(trx, ctxOf(request, deps), request.body))),
  );

  app.patch<Id & { Body: AccountInput }>(
    '/accounts/:id',
    { schema: { tags: ['customers'], summary: 'Change an account', params: idParams, body: updateAccountBody, response: { 200: accountSchema } } },
    async (request) => tx((trx) => updateAccountDetails(trx, ctxOf(request, deps), request.params.id, request.body)),
  );

  app.put<Id & { Body: { contacts: ContactInput[] } }>(
    '/accounts/:id/contacts',
    { schema: { tags: ['customers'], summary: "Replace an account's contacts", params: idParams, body: replaceContactsBody, response: { 200: accountSchema } } },
    async (request) => tx((trx) => setContacts(trx, ctxOf(request, deps), request.params.id, request.body.contacts)),
  );

  app.get<{ Querystring: CustomerSearchQuery }>(
    '/customers',
    {
      schema: { tags: ['customers'], summary: 'Search customers within your scope (name, customer no., phone as for accounts)', querystring: customerSearchQuery, response: { 200: customerPage } },
      preHandler: limitPhoneSearch,
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      return findCustomers(deps.db, ctxOf(request, deps), { ...request.query, afterId: decodeCursor(request.query.cursor), limit });
    },
  );

  app.get<Id & Unmask>(
    '/customers/:id',
    { schema: { tags: ['customers'], summary: 'One customer; ?unmask=true shows personal data (audited)', params: idParams, querystring: unmaskQuery, response: { 200: customerSchema } } },
    async (request) => getCustomer(deps.db, ctxOf(request, deps), request.params.id, request.query.unmask === true),
  );

  app.post<{ Body: CreateCustomerInput }>(
    '/customers',
    { schema: { tags: ['customers'], summary: 'Register a customer', body: createCustomerBody, response: { 201: customerSchema } } },
    async (request, reply) => reply.code(201).send(await tx((trx) => createCustomer(trx, ctxOf(request, deps), request.body))),
  );

  app.patch<Id & { Body: CustomerInput }>(
    '/customers/:id',
    { schema: { tags: ['customers'], summary: 'Change a customer', params: idParams, body: updateCustomerBody, response: { 200: customerSchema } } },
    async (request) => tx((trx) => updateCustomerDetails(trx, ctxOf(request, deps), request.params.id, request.body)),
  );

  app.get<Id>('/meters/:id', { schema: { tags: ['customers'], summary: 'One meter', params: idParams, response: { 200: meterSchema } } }, async (request) =>
    getMeter(deps.db, ctxOf(request, deps), request.params.id),
  );

  app.post<{ Body: CreateMeterInput }>(
    '/meters',
    { schema: { tags: ['customers'], summary: 'Install a meter on an account', body: createMeterBody, response: { 201: meterSchema } } },
    async (request, reply) => reply.code(201).send(await tx((trx) => addMeter(trx, ctxOf(request, deps), request.body))),
  );

  app.patch<Id & { Body: MeterInput }>(
    '/meters/:id',
    { schema: { tags: ['customers'], summary: 'Change or remove a meter', params: idParams, body: updateMeterBody, response: { 200: meterSchema } } },
    async (request) => tx((trx) => changeMeter(trx, ctxOf(request, deps), request.params.id, request.body)),
  );

  app.get<Id>('/contracts/:id', { schema: { tags: ['customers'], summary: 'One contract', params: idParams, response: { 200: contractSchema } } }, async (request) =>
    getContract(deps.db, ctxOf(request, deps), request.params.id),
  );

  app.post<{ Body: CreateContractInput }>(
    '/contracts',
    { schema: { tags: ['customers'], summary: 'Add a contract to an account', body: createContractBody, response: { 201: contractSchema } } },
    async (request, reply) => reply.code(201).send(await tx((trx) => addContract(trx, ctxOf(request, deps), request.body))),
  );

  app.patch<Id & { Body: ContractInput }>(
    '/contracts/:id',
    { schema: { tags: ['customers'], summary: 'Change a contract', params: idParams, body: updateContractBody, response: { 200: contractSchema } } },
    async (request) => tx((trx) => changeContract(trx, ctxOf(request, deps), request.params.id, request.body)),
  );
}
