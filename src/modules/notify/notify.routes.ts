import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { DEFAULT_LIMIT } from '../../shared/pagination.js';
import { deliverBody, deliverResult, notificationPage, notificationQuery, type DeliverInput, type NotificationQuery } from './notify.types.js';
import { deliverNow, listNotifications } from './use-cases/queries.js';
import { sendersOf } from './use-cases/senders.js';

/** The notification outbox: the messages of accounts in scope with their delivery state, and "send now". */
export async function notifyRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // a half-configured channel or a malformed template mapping stops the start, naming the setting
  sendersOf(deps.config.notify);

  app.get<{ Querystring: NotificationQuery }>(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'The outbox: SMS and grid-app messages to accounts in your scope, newest first, with their delivery state (phones masked). Roles with notifications.view',
        querystring: notificationQuery,
        response: { 200: notificationPage },
      },
    },
    async (request) => listNotifications(deps.db, ctxOf(request, deps), { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.post<{ Body: DeliverInput }>(
    '/notifications/deliver',
    {
      schema: {
        tags: ['notifications'],
        summary:
          'Send what is due now for your company (what the scheduled job does): queued messages and failed ones whose back-off is over; without a configured channel they are held in the outbox. Body optional. feecontrol.manage',
        body: deliverBody,
        response: { 200: deliverResult },
      },
      // no body at all is the same as {} (a button's plain POST)
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request) => deliverNow(deps.db, deps.config.notify, ctxOf(request, deps), { limit: request.body.limit }),
  );
}
