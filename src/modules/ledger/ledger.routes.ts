import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { actorOf } from '../../platform/request.js';
import { pageOf } from '../../platform/schemas.js';
import { EVENT_KINDS, type AccountEvent } from './domain/events.js';
import { eventsAfter, latestEventSeq } from './ledger.repository.js';
import { readEvents } from './use-cases/events.js';

const eventSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    accountId: { type: 'integer' },
    kind: { type: 'string', enum: [...EVENT_KINDS] },
    refType: { type: 'string' },
    refId: { type: 'integer' },
    businessDate: { type: 'string' },
    at: { type: 'string' },
    receivableDeltaFen: { type: 'integer' },
    prepaidDeltaFen: { type: 'integer' },
    penaltyDeltaFen: { type: 'integer' },
    receivableFen: { type: 'integer', description: 'owed after the event' },
    prepaidFen: { type: 'integer', description: 'held for the customer after the event' },
    penaltyFen: { type: 'integer', description: 'penalty owed after the event' },
  },
} as const;

const cursorQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'integer', minimum: 0, description: 'the seq of the last event seen (0: from the first)' },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    accountId: { type: 'integer', minimum: 1 },
  },
} as const;

/** How often an open stream looks for new events, and how often it sends a keep-alive comment. */
const STREAM_POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

type EventsQuery = { Querystring: { after?: number; limit?: number; accountId?: number } };

/**
 * Account events (账务事件) of the caller's scope: a page after a cursor, and a server-sent-events stream
 * (each event's `id` is its seq: a reconnecting EventSource resumes after `Last-Event-ID`).
 */
export async function ledgerRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<EventsQuery>(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Account events after a cursor (bill issued, payment applied, prepaid debited …) of the accounts in your scope, oldest first',
        querystring: cursorQuery,
        response: { 200: pageOf(eventSchema) },
      },
    },
    async (request) => readEvents(deps.db, actorOf(request).scope, { after: request.query.after ?? 0, limit: request.query.limit ?? 100, accountId: request.query.accountId }),
  );

  app.get<EventsQuery & { Headers: { 'last-event-id'?: string } }>(
    '/events/stream',
    {
      schema: {
        tags: ['events'],
        summary: 'The same as a text/event-stream: events after `after` (or Last-Event-ID; neither: from now on), then each new one as it is posted',
        querystring: cursorQuery,
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,15}$' } } },
      },
    },
    async (request, reply) => {
      const scope = actorOf(request).scope;
      const resume = request.headers['last-event-id'];
      let cursor = resume !== undefined ? Number(resume) : (request.query.after ?? (await latestEventSeq(deps.db)));
      const accountId = request.query.accountId;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(`retry: 2000\n: after ${cursor}\n\n`);
      let open = true;
      let lastWrite = Date.now();
      request.raw.on('close', () => (open = false));
      const send = (e: AccountEvent) => res.write(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
      while (open) {
        try {
          const events = await eventsAfter(deps.db, { after: cursor, limit: 500, scope, accountId });
          for (const e of events) send(e);
          if (events.length > 0) {
            cursor = events[events.length - 1]!.seq;
            lastWrite = Date.now();
            continue;
          }
        } catch (err) {
          request.log.warn({ err }, 'event stream read failed');
        }
        if (Date.now() - lastWrite > KEEPALIVE_MS) {
          res.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        await new Promise((r) => setTimeout(r, STREAM_POLL_MS));
      }
      res.end();
    },
  );
}
