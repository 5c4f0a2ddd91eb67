import type { FastifyInstance, FastifyReply } from 'fastify';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import type { Ctx } from '../org/index.js';
import {
  catalogueSchema,
  fileQuery,
  idParams,
  impactQuery,
  impactSchema,
  importQuery,
  priceTableDraftBody,
  priceTableListQuery,
  priceTableListSchema,
  priceTableSchema,
  quoteBody,
  quoteResultSchema,
  refusals,
  tariffDraftBody,
  versionSchema,
  type FileQuery,
  type ImpactQuery,
  type PriceTableFilter,
} from './tariffs.types.js';
import { discardPriceTableDraft } from './use-cases/discard-price-table-draft.js';
import { discardTariffDraft } from './use-cases/discard-tariff-draft.js';
import { exportPriceTable } from './use-cases/export-price-table.js';
import { visitListXlsx } from './use-cases/export-visit-list.js';
import { importPriceTable } from './use-cases/import-price-table.js';
import type { DraftRef, TariffFlows } from './use-cases/measure-impact.js';
import { publishPriceTable } from './use-cases/publish-price-table.js';
import { publishTariffVersion } from './use-cases/publish-tariff-version.js';
import { quote } from './use-cases/quote.js';
import { getVersion, listCatalogue } from './use-cases/read-catalogue.js';
import { getPriceTable, listPriceTablesOf } from './use-cases/read-price-tables.js';
import { savePriceTableDraft } from './use-cases/save-price-table-draft.js';
import { saveTariffDraft } from './use-cases/save-tariff-draft.js';

type Id = { Params: { id: number } };

/**
 * For routes whose body the domain checks in full (every problem at once, each with a code): the schema
 * documents the body in OpenAPI, ajv does not stop at it first. Only for routes without params or query.
 */
const checkedByDomain = { validatorCompiler: () => (data: unknown) => ({ value: data }) };
type ImpactRequest = { Querystring: ImpactQuery };

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Spreadsheets are small (a price table is a dozen rows); this bounds a wrong file, not a real one. */
const FILE_LIMIT = 2 * 1024 * 1024;

/**
 * 电价: the catalogue, the monthly agent-purchase tables, quotes (试算) and price-change impact (run by
 * `flows.measurePriceImpact`, from `workflows/`: http/app.ts).
 */
export async function tariffsRoutes(app: FastifyInstance, deps: AppDeps, flows: TariffFlows): Promise<void> {
  const tx = <T>(work: Parameters<typeof inTransaction<T>>[1]) => inTransaction(deps.db, work);

  // ---- catalogue ----------------------------------------------------------------------------
  app.get('/tariffs', { schema: { tags: ['tariffs'], summary: 'The tariff catalogue: every code with its versions (draft and published) and the one in effect today', response: { 200: catalogueSchema } } }, async (request) =>
    listCatalogue(deps.db, ctxOf(request, deps)),
  );

  app.get<Id>('/tariff-versions/:id', { schema: { tags: ['tariffs'], summary: 'One tariff version with its definition', params: idParams, response: { 200: versionSchema } } }, async (request) =>
    getVersion(deps.db, ctxOf(request, deps), request.params.id),
  );

  app.post<{ Body: unknown }>(
    '/tariff-versions',
    {
      schema: {
        tags: ['tariffs'],
        summary: 'Save a draft tariff version (validated; replaces a draft of the same code and date; a published one is final → 409)',
        body: tariffDraftBody,
        response: { 200: versionSchema, 201: versionSchema, ...refusals },
      },
      ...checkedByDomain,
    },
    async (request, reply) => {
      const saved = await tx((trx) => saveTariffDraft(trx, ctxOf(request, deps), request.body));
      return reply.code(saved.replaced ? 200 : 201).send(saved);
    },
  );

  app.post<Id>(
    '/tariff-versions/:id/publish',
    { schema: { tags: ['tariffs'], summary: 'Publish a draft version (marketing, admin); effective from its date, never edited again; 422 when it would take effect before this business month', params: idParams, response: { 200: versionSchema, ...refusals } } },
    async (request) => tx((trx) => publishTariffVersion(trx, ctxOf(request, deps), request.params.id)),
  );

  app.delete<Id>('/tariff-versions/:id', { schema: { tags: ['tariffs'], summary: 'Discard a draft version', params: idParams } }, async (request, reply) => {
    await tx((trx) => discardTariffDraft(trx, ctxOf(request, deps), request.params.id));
    return reply.code(204).send();
  });

  app.get<Id & ImpactRequest>(
    '/tariff-versions/:id/impact',
    {
      schema: {
        tags: ['tariffs'],
        summary: "Price-change impact of a draft version on your scope's last cycle (dry run); ?format=xlsx gives the visit list",
        params: idParams,
        querystring: impactQuery,
        response: { 200: impactSchema },
      },
    },
    async (request, reply) => impact(reply, ctxOf(request, deps), { kind: 'tariffVersion', id: request.params.id }, request.query),
  );

  // ---- agent-purchase price tables ------------------------------------------------------------
  app.get<{ Querystring: PriceTableFilter }>(
    '/agent-prices',
    {
      schema: {
        tags: ['tariffs'],
        summary: 'Monthly agent-purchase price tables, newest month first',
        querystring: priceTableListQuery,
        response: { 200: priceTableListSchema },
      },
    },
    async (request) => listPriceTablesOf(deps.db, ctxOf(request, deps), request.query),
  );

  app.get<Id>('/agent-prices/:id', { schema: { tags: ['tariffs'], summary: "One month's table (a draft also compared with the latest published month)", params: idParams, response: { 200: priceTableSchema } } }, async (request) =>
    getPriceTable(deps.db, ctxOf(request, deps), request.params.id),
  );

  app.post<{ Body: unknown }>(
    '/agent-prices',
    {
      schema: {
        tags: ['tariffs'],
        summary: "Save a month's draft table as JSON (validated; replaces that month's draft; a published month is final → 409)",
        body: priceTableDraftBody,
        response: { 200: priceTableSchema, 201: priceTableSchema, ...refusals },
      },
      ...checkedByDomain,
    },
    async (request, reply) => {
      const saved = await tx((trx) => savePriceTableDraft(trx, ctxOf(request, deps), request.body));
      return reply.code(saved.replaced ? 200 : 201).send(saved);
    },
  );

  // Uploads are raw bodies (text/csv or xlsx); their parsers live in this child context only.
  await app.register(async (files) => {
    files.addContentTypeParser(['text/csv', 'application/csv', XLSX, 'application/vnd.ms-excel', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: FILE_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    files.post<{ Querystring: { month: string }; Body: unknown }>(
      '/agent-prices/import',
      {
        bodyLimit: FILE_LIMIT,
        schema: {
          tags: ['tariffs'],
          summary: "Import a month's draft table from CSV or xlsx (body: the file; Content-Type text/csv or the xlsx type). Every row checked: 422 lists row/column problems, nothing written",
          querystring: importQuery,
          response: { 200: priceTableSchema, 201: priceTableSchema, ...refusals },
        },
      },
      async (request, reply) => {
        const saved = await tx((trx) => importPriceTable(trx, ctxOf(request, deps), request.query.month, request.body));
        return reply.code(saved.replaced ? 200 : 201).send(saved);
      },
    );
  });

  app.post<Id>(
    '/agent-prices/:id/publish',
    {
      schema: {
        tags: ['tariffs'],
        summary: 'Publish a month’s draft (marketing, admin). Later than 3 days before the month: published all the same, with late: true (kept and audited)',
        params: idParams,
        response: { 200: priceTableSchema },
      },
    },
    async (request) => tx((trx) => publishPriceTable(trx, ctxOf(request, deps), request.params.id)),
  );

  app.delete<Id>('/agent-prices/:id', { schema: { tags: ['tariffs'], summary: "Discard a month's draft", params: idParams } }, async (request, reply) => {
    await tx((trx) => discardPriceTableDraft(trx, ctxOf(request, deps), request.params.id));
    return reply.code(204).send();
  });

  app.get<Id & { Querystring: FileQuery }>(
    '/agent-prices/:id/file',
    { schema: { tags: ['tariffs'], summary: "A month's table as CSV or xlsx in the import format (a template for the next month)", params: idParams, querystring: fileQuery } },
    async (request, reply) => {
      const file = await exportPriceTable(deps.db, ctxOf(request, deps), request.params.id, request.query.format ?? 'xlsx', request.query.labels ?? 'en');
      return download(reply, file.filename, file.contentType, file.body);
    },
  );

  app.get<Id & ImpactRequest>(
    '/agent-prices/:id/impact',
    {
      schema: {
        tags: ['tariffs'],
        summary: "Price-change impact of a month's draft table on your scope's last cycle (dry run); ?format=xlsx gives the visit list",
        params: idParams,
        querystring: impactQuery,
        response: { 200: impactSchema },
      },
    },
    async (request, reply) => impact(reply, ctxOf(request, deps), { kind: 'agentPriceTable', id: request.params.id }, request.query),
  );

  // ---- quotes ---------------------------------------------------------------------------------
  app.post<{ Body: unknown }>(
    '/quotes',
    {
      schema: {
        tags: ['tariffs'],
        summary: '试算: rate a usage under a catalogue code (published version and agent prices of the period) or an inline tariff; nothing is stored',
        body: quoteBody,
        response: { 200: quoteResultSchema, ...refusals },
      },
      ...checkedByDomain,
    },
    async (request) => {
      ctxOf(request, deps); // signed in; a quote reads only prices, which every role may see
      return quote(deps.db, request.body);
    },
  );

  /** The dry run (a read-only snapshot) is the workflow's: it reads metering too. */
  async function impact(reply: FastifyReply, ctx: Ctx, ref: DraftRef, q: ImpactQuery) {
    const result = await flows.measurePriceImpact(deps.db, ctx, ref, q.top ?? 50);
    if (q.format !== 'xlsx') return result;
    const file = await visitListXlsx(result);
    return download(reply, file.filename, XLSX, file.body);
  }
}

function download(reply: FastifyReply, filename: string, contentType: string, body: Buffer) {
  return reply
    .header('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
    .type(contentType)
    .send(body);
}
