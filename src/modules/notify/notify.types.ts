/**
 * The notification outbox API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`,
 * the types the use cases return and the web app imports (type-only).
 */
import { Nullable, pageOf, pageQuery, StringEnum, Type, type Static } from '../../platform/schemas.js';
import { NOTICE_CHANNELS, NOTICE_KINDS, NOTIFICATION_STATES } from './domain/kinds.js';

export const notificationQuery = Type.Object(
  {
    accountId: Type.Optional(Type.Integer({ minimum: 1, description: 'one account (another subtree’s account finds nothing)' })),
    kind: Type.Optional(StringEnum(NOTICE_KINDS)),
    channel: Type.Optional(StringEnum(NOTICE_CHANNELS)),
    state: Type.Optional(StringEnum(NOTIFICATION_STATES)),
    ...pageQuery.properties,
  },
  { additionalProperties: false },
);
export type NotificationQuery = Static<typeof notificationQuery>;

/** One message of the outbox. */
export const notificationSchema = Type.Object({
  id: Type.Integer(),
  accountId: Type.Integer(),
  accountNo: Type.String(),
  accountName: Type.String(),
  kind: StringEnum(NOTICE_KINDS),
  channel: StringEnum(NOTICE_CHANNELS, { description: 'sms: to the primary contact phone; app: the grid app’s push to the account number' }),
  recipient: Type.String({ description: 'sms: the phone number, masked (139****5678); app: the account number' }),
  body: Type.String({ description: 'the Chinese text as sent (or, held, as it would have been sent)' }),
  state: StringEnum(NOTIFICATION_STATES, { description: 'queued → sending → sent; failed (retried with back-off while attempts remain); held: no channel configured, not sent' }),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time', description: 'when it is tried next; null when nothing is left to do' })),
  lastError: Nullable(Type.String({ description: 'the provider’s code and message (or the network error) of the last failed attempt' })),
  providerMessageId: Nullable(Type.String({ description: 'Aliyun BizId, or the grid app’s pushId' })),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
});
export type Notification = Static<typeof notificationSchema>;

export const notificationPage = pageOf(notificationSchema);

export const deliverBody = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'at most this many messages (default 5,000)' })) },
  { additionalProperties: false },
);
export type DeliverInput = Static<typeof deliverBody>;

export const deliverResult = Type.Object({
  sent: Type.Integer(),
  failed: Type.Integer({ description: 'failed this time: retried after a back-off while attempts remain' }),
  held: Type.Integer({ description: 'of a channel not configured: kept in the outbox unsent' }),
});
export type DeliverResult = Static<typeof deliverResult>;
