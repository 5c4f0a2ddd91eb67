import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { idParams, readList, readsQuery, type ReadsQuery } from './metering.types.js';
import { listReads } from './use-cases/list-reads.js';

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
}
