import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import {
  dayParams,
  daysPage,
  daysQuery,
  idParams,
  importQuery,
  importResult,
  itemSchema,
  itemsPage,
  itemsQuery,
  resolveBody,
  xlsxResponse,
  type DayParams,
  type DaysQuery,
  type ImportQuery,
  type ItemsQuery,
  type ResolveInput,
} from './reconciliation.types.js';
import { writeDaysWorkbook, XLSX_TYPE } from './use-cases/days-workbook.js';
import type { ReconciliationFlows } from './use-cases/flows.js';
import { operatorOf } from './use-cases/operator.js';
import { reconciliationDayItems, reconciliationDays } from './use-cases/queries.js';

/** A day's statement of a busy merchant is a few MB; this bounds a wrong file, not a real one. */
const STATEMENT_LIMIT = 64 * 1024 * 1024;

/**
 * Reconciliation (对账): import a channel's statement (matched against the ledger in one transaction), the
 * report per channel and day (JSON and xlsx), the items of a day, and the review of differences. The import
 * and the review run `flows` from `workflows/` (http/app.ts).
 */
export async function reconciliationRoutes(app: FastifyInstance, deps: AppDeps, flows: ReconciliationFlows): Promise<void> {
  // Statement uploads are raw bodies; their parsers live in this child context only.
  await app.register(async (files) => {
    files.addContentTypeParser(['text/csv', 'application/csv', 'application/octet-stream', 'application/vnd.ms-excel'], { parseAs: 'buffer', bodyLimit: STATEMENT_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    files.post<{ Querystring: ImportQuery; Body: unknown }>(
      '/reconciliation/imports',
      {
        bodyLimit: STATEMENT_LIMIT,
        schema: {
          tags: ['reconciliation'],
          summary:
            "Import a channel's statement (body: the file as downloaded, Content-Type text/csv or application/octet-stream; WeChat Pay trade bill, Alipay 业务明细 (GBK or UTF-8), bank statement, grid app CSV) and reconcile it: matched / channel-only (applied once) / ledger-only / amount mismatch. Bad rows → 422 naming row and column, nothing written; the same file again → 200 with the first result, nothing changed (marketing, admin)",
          querystring: importQuery,
          response: { 200: importResult, 201: importResult },
        },
      },
      async (request, reply) => {
        const result = await flows.importStatement({ pool: deps.pool, reviewAboveFen: deps.config.reconReviewAboveFen }, operatorOf(ctxOf(request, deps)), { channel: request.query.channel, fileName: request.query.fileName ?? 'statement.csv', body: request.body, bank: request.query.bank });
        return reply.code(result.replayed ? 200 : 201).send(result);
      },
    );
  });

  app.get<{ Querystring: DaysQuery }>(
    '/reconciliation/days',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'The reconciliation report per channel and day (at most 366 days): statement and ledger counts and sums, items by status, unresolved exceptions (company-level roles)',
        querystring: daysQuery,
        response: { 200: daysPage },
      },
    },
    async (request) => reconciliationDays(deps.db, operatorOf(ctxOf(request, deps)), request.query),
  );

  app.get<{ Querystring: DaysQuery }>(
    '/reconciliation/days.xlsx',
    { schema: { tags: ['reconciliation'], summary: 'The same report as an xlsx workbook (sheet 对账日报, amounts in 元 and fen, a 合计 row), streamed', querystring: daysQuery, response: xlsxResponse } },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      const { items } = await reconciliationDays(deps.db, operatorOf(ctx), request.query);
      const q = request.query;
      reply
        .header('content-disposition', `attachment; filename="reconciliation-${q.from}-${q.to}${q.channel ? `-${q.channel}` : ''}.xlsx"`)
        .header('cache-control', 'private, no-store')
        .type(XLSX_TYPE);
      if (request.method === 'HEAD') return reply.send();
      const out = new PassThrough();
      writeDaysWorkbook(items, out, { now: ctx.now, from: q.from, to: q.to, channel: q.channel }).catch((err: unknown) => {
        request.log.error({ err }, 'reconciliation workbook failed while streaming');
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      return reply.send(out);
    },
  );

  app.get<{ Params: DayParams; Querystring: ItemsQuery }>(
    '/reconciliation/days/:channel/:date/items',
    {
      schema: {
        tags: ['reconciliation'],
        summary: "The items of a reconciled channel-day (404 if the day is not reconciled); station heads see their station's accounts' items",
        params: dayParams,
        querystring: itemsQuery,
        response: { 200: itemsPage },
      },
    },
    async (request) => reconciliationDayItems(deps.db, operatorOf(ctxOf(request, deps)), request.params, request.query),
  );

  app.post<{ Params: { id: number }; Body: ResolveInput }>(
    '/reconciliation/items/:id/resolve',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'Review an exception (ledger-only, amount mismatch, channel-only not applied): the resolution and a note, audited; no money moves here (marketing, admin)',
        params: idParams,
        body: resolveBody,
        response: { 200: itemSchema },
      },
    },
    async (request) => inTransaction(deps.db, (trx) => flows.resolveItem(trx, operatorOf(ctxOf(request, deps)), request.params.id, request.body)),
  );
}
