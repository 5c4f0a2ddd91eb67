import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { actorOf } from '../../platform/request.js';
import { eventPage, eventsQuery, streamHeaders, type AccountEvent, type EventsQuery, type StreamHeaders } from './ledger.types.js';
import { eventsAfter, latestEventSeq } from './ledger.repository.js';
import { readEvents } from './use-cases/events.js';

/** How often an open stream looks for new events, and how often it sends a keep-alive comment. */
const STREAM_POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

/**
 * Account events (账务事件) of the caller's scope: a page after a cursor, and a server-sent-events stream
 * (each event's `id` is its seq: a reconnecting EventSource resumes after `Last-Event-ID`).
 */
export async function ledgerRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: EventsQuery }>(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Account events after a cursor (bill issued, payment applied, prepaid debited …) of the accounts in your scope, oldest first',
        querystring: eventsQuery,
        response: { 200: eventPage },
      },
    },
    async (request) => readEvents(deps.db, actorOf(request).scope, { after: request.query.after ?? 0, limit: request.query.limit ?? 100, accountId: request.query.accountId }),
  );

  app.get<{ Querystring: EventsQuery; Headers: StreamHeaders }>(
    '/events/stream',
    {
      schema: {
        tags: ['events'],
        summary: 'The same as a text/event-stream: events after `after` (or Last-Event-ID; neither: from now on), then each new one as it is posted',
        querystring: eventsQuery,
        headers: streamHeaders,
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
