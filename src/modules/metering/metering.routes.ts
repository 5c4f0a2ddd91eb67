import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { listReads } from './use-cases/list-reads.js';

const decimal = { type: ['string', 'null'] } as const;
const usage = {
  type: ['object', 'null'],
  description: 'consumption since the previous read of the same meter: register difference × meter multiplier (kWh, kvarh)',
  properties: { total: { type: 'string' }, peak: decimal, flat: decimal, valley: decimal, reactive: decimal },
} as const;

export async function meteringRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Params: { id: number }; Querystring: { kind?: 'cycle' | 'daily'; from?: string; to?: string } }>(
    '/accounts/:id/reads',
    {
      schema: {
        tags: ['metering'],
        summary: 'Cycle (monthly) or daily frozen reads of an account, with the usage since the previous read',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { kind: { type: 'string', enum: ['cycle', 'daily'] }, from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    meterId: { type: 'integer' },
                    meterNo: { type: 'string' },
                    period: decimal,
                    readOn: { type: 'string' },
                    total: { type: 'string' },
                    peak: decimal,
                    flat: decimal,
                    valley: decimal,
                    reactive: decimal,
                    maxDemand: decimal,
                    estimated: { type: 'boolean' },
                    usage,
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => ({ items: await listReads(deps.db, ctxOf(request, deps), request.params.id, request.query) }),
  );
}
