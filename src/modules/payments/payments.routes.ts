import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { decodeCursor, DEFAULT_LIMIT } from '../../shared/pagination.js';
import { checkKey } from '../idempotency/index.js';
import {
  approvalBody,
  approvalPage,
  approvalQuery,
  approvalSchema,
  counterBody,
  decisionBody,
  idempotencyHeaders,
  idParams,
  pageQuery,
  paymentPage,
  paymentSchema,
  statementQuery,
  statementSchema,
  type ApprovalInput,
  type CounterPayment,
} from './payments.types.js';
import { decide, getApproval, listApprovalRequests, requestApproval } from './use-cases/approvals.js';
import { counterDesk } from './use-cases/collect.js';
import { getPayment, getStatement, listAccountPayments } from './use-cases/queries.js';

type Id = { Params: { id: number } };
type Page = { Querystring: { limit?: number; cursor?: string } };
const cursorOf = (c: string | undefined) => decodeCursor(c) || null;

/** Counter payments (坐收), receipts, account statements and the approvals of reversals, refunds and waivers. */
export async function paymentsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const desk = counterDesk(deps.pool);
  app.addHook('onClose', () => desk.close());
  app.post<{ Body: CounterPayment }>(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: 'Take a payment at the counter (坐收): allocated oldest bill first, penalty then principal, the rest prepaid. Requires Idempotency-Key',
        headers: idempotencyHeaders,
        body: counterBody,
        response: { 201: paymentSchema },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      const key = checkKey(request.headers['idempotency-key'] as string | undefined, true)!;
      const result = await desk.submit({ ctx, key, input: request.body });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.get<Id>(
    '/payments/:id',
    { schema: { tags: ['payments'], summary: 'One payment with where its money went (the receipt)', params: idParams, response: { 200: paymentSchema } } },
    async (request) => getPayment(deps.db, ctxOf(request, deps), request.params.id),
  );

  app.get<Id & Page>(
    '/accounts/:id/payments',
    { schema: { tags: ['payments'], summary: "An account's payments, newest first", params: idParams, querystring: pageQuery, response: { 200: paymentPage } } },
    async (request) => listAccountPayments(deps.db, ctxOf(request, deps), request.params.id, cursorOf(request.query.cursor), request.query.limit ?? DEFAULT_LIMIT),
  );

  app.get<Id & { Querystring: { asOf?: string } }>(
    '/accounts/:id/statement',
    {
      schema: {
        tags: ['payments'],
        summary: 'Where an account stands: arrears per open bill, penalty accrued to the day, prepaid balance, what each paid bill received',
        params: idParams,
        querystring: statementQuery,
        response: { 200: statementSchema },
      },
    },
    async (request) => getStatement(deps.db, ctxOf(request, deps), request.params.id, request.query.asOf),
  );

  app.post<{ Body: ApprovalInput }>(
    '/approvals',
    {
      schema: {
        tags: ['payments'],
        summary: 'Request a reversal (冲正) of a payment, a refund (退费) of prepaid balance or a penalty waiver (违约金减免); decided one level up',
        body: approvalBody,
        response: { 201: approvalSchema },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      return reply.code(201).send(await inTransaction(deps.db, (trx) => requestApproval(trx, ctx, request.body)));
    },
  );

  app.get<{ Querystring: { status?: string; limit?: number; cursor?: string } }>(
    '/approvals',
    { schema: { tags: ['payments'], summary: 'Requests on accounts in your scope, newest first; mayDecide marks the ones you may decide', querystring: approvalQuery, response: { 200: approvalPage } } },
    async (request) => listApprovalRequests(deps.db, ctxOf(request, deps), { status: request.query.status, cursor: cursorOf(request.query.cursor), limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get<Id>(
    '/approvals/:id',
    { schema: { tags: ['payments'], summary: 'One request', params: idParams, response: { 200: approvalSchema } } },
    async (request) => getApproval(deps.db, ctxOf(request, deps), request.params.id),
  );

  app.post<Id & { Body: { approve: boolean; note?: string } }>(
    '/approvals/:id/decision',
    {
      schema: { tags: ['payments'], summary: 'Approve (the money moves now) or reject a request; one level above the requester, never your own', params: idParams, body: decisionBody, response: { 200: approvalSchema } },
    },
    async (request) => {
      const ctx = ctxOf(request, deps);
      return inTransaction(deps.db, (trx) => decide(trx, ctx, request.params.id, request.body));
    },
  );
}
