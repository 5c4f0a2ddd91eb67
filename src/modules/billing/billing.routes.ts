import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { decodeCursor, DEFAULT_LIMIT } from '../../shared/pagination.js';
import { refusals } from '../tariffs/index.js';
import { approveBody, billPage, exceptionPage, exceptionQuery, idParams, pageQuery, runPage, runSchema, startRunBody, type ApproveInput, type ExceptionQuery, type StartRunInput } from './billing.types.js';
import { adjustmentBody, billSchema, type AdjustmentInput } from './billing.lines.js';
import { createAdjustment } from './use-cases/create-adjustment.js';
import { operatorOf } from './use-cases/operator.js';
import { getAccountBills, getBill, getBillRun, getBillRunExceptions, listBillRuns } from './use-cases/queries.js';
import { approveBillRun, startIssue } from './use-cases/review-bill-run.js';
import type { BillingFlows } from './use-cases/drive-bill-run.js';
import { BillRunner } from './use-cases/runner.js';
import { startBillRun } from './use-cases/start-bill-run.js';

type Id = { Params: { id: number } };
type Page = { Querystring: { limit?: number; cursor?: string } };

/**
 * Bill runs (电费发行), bills and corrections (退补). Runs are driven in the background of this process by
 * a BillRunner, which also resumes unfinished runs when the server is ready and stops between batches
 * when it closes (the runs resume at their cursor next time). `flows` comes from `workflows/` (http/app.ts).
 */
export async function billingRoutes(app: FastifyInstance, deps: AppDeps, flows: BillingFlows): Promise<void> {
  const runner = new BillRunner({ db: deps.db, pool: deps.pool, prepaidAtIssue: flows.prepaidAtIssue }, { log: (m) => app.log.warn(m) });
  app.addHook('onReady', async () => {
    await runner.resumeUnfinished();
  });
  app.addHook('onClose', async () => {
    await runner.close();
  });

  app.post<{ Body: StartRunInput }>(
    '/bill-runs',
    {
      schema: {
        tags: ['billing'],
        summary: 'Start the bill run of a period (or resume it); it runs in the background — poll GET /bill-runs/:id for progress',
        body: startRunBody,
        response: { 200: runSchema, 202: runSchema },
      },
    },
    async (request, reply) => {
      const op = operatorOf(ctxOf(request, deps));
      const { run } = await startBillRun(deps.db, op, request.body.period);
      if (run.status === 'rating' || run.status === 'issuing') runner.kick(run.id);
      return reply.code(run.status === 'rating' || run.status === 'issuing' ? 202 : 200).send(await getBillRun(deps.db, op, run.id));
    },
  );

  app.get<Page>(
    '/bill-runs',
    { schema: { tags: ['billing'], summary: "Your company's bill runs, newest period first", querystring: pageQuery, response: { 200: runPage } } },
    async (request) => listBillRuns(deps.db, operatorOf(ctxOf(request, deps)), { limit: request.query.limit ?? DEFAULT_LIMIT, cursor: request.query.cursor }),
  );

  app.get<Id>(
    '/bill-runs/:id',
    { schema: { tags: ['billing'], summary: 'One bill run: status, progress and ETA, counts, totals, exceptions by kind', params: idParams, response: { 200: runSchema } } },
    async (request) => getBillRun(deps.db, operatorOf(ctxOf(request, deps)), request.params.id),
  );

  app.get<Id & { Querystring: ExceptionQuery }>(
    '/bill-runs/:id/exceptions',
    {
      schema: {
        tags: ['billing'],
        summary: 'The review list (审核): reads that could not be billed (blocking) and bills flagged for a look; filter by kind, blocking, station, account',
        params: idParams,
        querystring: exceptionQuery,
        response: { 200: exceptionPage },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return getBillRunExceptions(deps.db, operatorOf(ctxOf(request, deps)), request.params.id, { ...filter, limit: limit ?? DEFAULT_LIMIT, afterId: decodeCursor(cursor) });
    },
  );

  app.post<Id & { Body: ApproveInput }>(
    '/bill-runs/:id/approve',
    {
      schema: { tags: ['billing'], summary: 'Approve a run in review (marketing, admin); audited. The body (a note) is optional', params: idParams, body: approveBody, response: { 200: runSchema } },
      // approving needs no note: no body at all is the same as {}
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const op = operatorOf(ctxOf(request, deps));
      const run = await approveBillRun(deps.db, op, request.params.id, request.body?.note ?? null);
      return getBillRun(deps.db, op, run.id);
    },
  );

  app.post<Id>(
    '/bill-runs/:id/issue',
    {
      schema: {
        tags: ['billing'],
        summary: 'Issue an approved run (发行): posts every bill to receivable in the background; audited',
        params: idParams,
        response: { 202: runSchema },
      },
    },
    async (request, reply) => {
      const op = operatorOf(ctxOf(request, deps));
      const run = await startIssue(deps.db, op, request.params.id);
      runner.kick(run.id);
      return reply.code(202).send(await getBillRun(deps.db, op, run.id));
    },
  );

  app.get<Id & Page>(
    '/accounts/:id/bills',
    { schema: { tags: ['billing'], summary: "An account's bills, newest first", params: idParams, querystring: pageQuery, response: { 200: billPage } } },
    async (request) => getAccountBills(deps.db, ctxOf(request, deps), request.params.id, { limit: request.query.limit ?? DEFAULT_LIMIT, cursor: request.query.cursor }),
  );

  app.get<Id>(
    '/bills/:id',
    { schema: { tags: ['billing'], summary: 'One bill with its lines and the ids of its adjustments', params: idParams, response: { 200: billSchema } } },
    async (request) => getBill(deps.db, ctxOf(request, deps), request.params.id),
  );

  app.post<Id & { Body: AdjustmentInput }>(
    '/bills/:id/adjustments',
    {
      schema: {
        tags: ['billing'],
        summary: 'Correct an issued bill (退补) with an adjustment bill: re-rated usage or signed lines; posted to the ledger at once; audited',
        params: idParams,
        body: adjustmentBody,
        response: { 201: billSchema, ...refusals },
      },
    },
    async (request, reply) => reply.code(201).send(await inTransaction(deps.db, (trx) => createAdjustment(trx, ctxOf(request, deps), request.params.id, request.body))),
  );
}
