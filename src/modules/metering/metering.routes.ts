import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import type { IncomingRead } from './domain/read-rules.js';
import { parseReadsPayload } from './domain/reads-payload.js';
import { batchResultSchema, idParams, MAX_BATCH_READS, readList, readsBody, readsImportQuery, readsQuery, type ReadsImportQuery, type ReadsQuery } from './metering.types.js';
import { importReads } from './use-cases/import-reads.js';
import { listReads } from './use-cases/list-reads.js';

/** 50,000 reads with every register as a quoted decimal are about 7 MB of JSON; this bounds a wrong upload. */
export const READS_BODY_LIMIT = 16 * 1024 * 1024;
const READ_TYPES = ['application/json', 'application/x-ndjson'];

export async function meteringRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Params: { id: number }; Querystring: ReadsQuery }>(
    '/accounts/:id/reads',
    {
      schema: {
        tags: ['metering'],
        summary: 'Cycle (monthly) or daily frozen reads of an account, with the usage since the previous read',
        params: idParams,
        querystring: readsQuery,
        response: { 200: readList },
      },
    },
    async (request) => ({ items: await listReads(deps.db, ctxOf(request, deps), request.params.id, request.query) }),
  );

  // A batch of daily reads: JSON (one read or an array) or NDJSON, read by parseReadsPayload in this child
  // context (its own body limit; a batch that cannot be read is a 422 and writes nothing).
  await app.register(async (reads) => {
    reads.removeAllContentTypeParsers();
    reads.addContentTypeParser(READ_TYPES, { parseAs: 'string', bodyLimit: READS_BODY_LIMIT }, (_request, body, done) => {
      try {
        done(null, parseReadsPayload(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    reads.post<{ Querystring: ReadsImportQuery; Body: IncomingRead[] }>(
      '/reads',
      {
        bodyLimit: READS_BODY_LIMIT,
        schema: {
          tags: ['metering'],
          summary: 'Daily frozen reads in: a batch of one read, a JSON array or NDJSON (one read per line), at most 50,000',
          description:
            `Content-Type application/json (one read or an array) or application/x-ndjson; at most ${MAX_BATCH_READS.toLocaleString('en')} reads. ` +
            'Each read is judged on its own: accepted (written; some flagged for a person to look at), a duplicate of a stored read (counted, not written again), or refused with its reason ' +
            '(unknown meter, a register going backwards, an impossible jump, a conflicting read of the same day …) — the answer lists them by their index in the batch. ' +
            'A batch that cannot be read (not JSON, a read without meterNo or total, an unknown field) is refused whole (422) and writes nothing. Needs reads.import.',
          consumes: READ_TYPES,
          querystring: readsImportQuery,
          body: readsBody,
          response: { 200: batchResultSchema },
        },
      },
      async (request) => importReads(deps.pool, ctxOf(request, deps), request.body, request.query.source ?? 'import'),
    );
  });
}
