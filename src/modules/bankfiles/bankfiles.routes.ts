import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { invalid } from '../../shared/errors.js';
import { DEFAULT_LIMIT } from '../../shared/pagination.js';
import { batchDetailSchema, batchPage, idParams, importQuery, importResponse, pageQuery, type ImportQuery, type ImportResponse } from './bankfiles.types.js';
import type { BankFileFlows } from './use-cases/import-bank-file.js';
import { operatorOf, requireBankFiles } from './use-cases/operator.js';
import { detailOf, getBankBatch, listBankBatches, resultFile } from './use-cases/queries.js';
import { discardUpload, saveUpload, type Upload } from './use-cases/receive-upload.js';

type Id = { Params: { id: number } };

/** A million debit lines are about 70 MB; this bounds a wrong upload, not a real file. */
export const UPLOAD_LIMIT = 512 * 1024 * 1024;
const FILE_TYPES = ['text/csv', 'application/csv', 'application/octet-stream'];

/**
 * Bank debit files (代扣回盘): import (company-wide: marketing, admin), the batches, the result files.
 * The import answers when the file is posted (a million lines take about a minute); it runs
 * `flows.importBankFile`, from `workflows/` (http/app.ts).
 */
export async function bankFilesRoutes(app: FastifyInstance, deps: AppDeps, flows: BankFileFlows): Promise<void> {
  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/bank-files',
    { schema: { tags: ['bank files'], summary: "Your company's imported bank debit files, newest first", querystring: pageQuery, response: { 200: batchPage } } },
    async (request) => listBankBatches(deps.db, operatorOf(ctxOf(request, deps)), { limit: request.query.limit ?? DEFAULT_LIMIT, cursor: request.query.cursor }),
  );

  app.get<Id>(
    '/bank-files/:id',
    {
      schema: {
        tags: ['bank files'],
        summary: 'One imported file: lines accepted and rejected, money posted and how it was spread, rejections by reason',
        params: idParams,
        response: { 200: batchDetailSchema },
      },
    },
    async (request) => getBankBatch(deps.db, operatorOf(ctxOf(request, deps)), request.params.id),
  );

  app.get<Id>(
    '/bank-files/:id/result.csv',
    {
      schema: {
        tags: ['bank files'],
        summary: 'The result file: one CSV line per line of the imported file (line_no, bank_txn_id, account_no, amount, result, reason, payment_id)',
        params: idParams,
      },
    },
    async (request, reply) => {
      const file = await resultFile(deps.db, operatorOf(ctxOf(request, deps)), request.params.id);
      return reply.header('content-disposition', `attachment; filename="${file.fileName}"`).type('text/csv; charset=utf-8').send(Readable.from(file.chunks));
    },
  );

  // The upload is a raw CSV body, streamed to a temporary file by the parser of this child context (the
  // body is then {path, bytes}); the file is removed when the response is sent, whatever happened.
  await app.register(async (files) => {
    files.removeAllContentTypeParsers(); // a file, not JSON: anything but the types below is a 415
    files.addContentTypeParser(FILE_TYPES, (_request, payload, done) => {
      saveUpload(payload, UPLOAD_LIMIT).then(
        (upload) => done(null, upload),
        (err: Error) => done(err, undefined),
      );
    });
    files.addHook('onResponse', async (request) => {
      if (isUpload(request.body)) await discardUpload(request.body);
    });
    files.post<{ Querystring: ImportQuery; Body: Upload }>(
      '/bank-files',
      {
        schema: {
          tags: ['bank files'],
          summary:
            'Import a bank debit result file (代扣回盘, CSV: bank_txn_id,account_no,amount,debit_date,status,bank_message; UTF-8 or GB 18030; body: the file, Content-Type text/csv). ' +
            'Debited lines become payments; each rejected line gets a reason. 201 when posted now; the same file again answers 200 with the earlier batch and changes nothing. Marketing and admin.',
          querystring: importQuery,
          response: { 200: importResponse, 201: importResponse },
        },
        // refuse before the upload is read: the role may not import at all
        preParsing: async (request, _reply, payload) => {
          requireBankFiles(operatorOf(ctxOf(request, deps)), 'bankfiles.import', 'import bank files');
          return payload;
        },
      },
      async (request, reply) => {
        const op = operatorOf(ctxOf(request, deps));
        if (!isUpload(request.body)) throw invalid('file', 'send the file as the request body (Content-Type text/csv)');
        const { bank, fileName } = request.query;
        const result = await flows.importBankFile(deps, op, { bank, fileName: fileName ?? 'bank-file.csv', path: request.body.path });
        const answer: ImportResponse = { outcome: result.outcome, batch: await detailOf(deps.db, result.batch) };
        return reply.code(result.outcome === 'replayed' ? 200 : 201).send(answer);
      },
    );
  });
}

function isUpload(body: unknown): body is Upload {
  return typeof body === 'object' && body !== null && typeof (body as Upload).path === 'string' && (body as Upload).path.includes('granary-bankfile-');
}
