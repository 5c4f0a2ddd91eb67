/**
 * The events API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases and in-process consumers get and the web app may import.
 */
import { Fen, pageOf, StringEnum, Type, type Static } from '../../platform/schemas.js';
import { EVENT_KINDS } from './domain/events.js';

/**
 * An event as the API and consumers see it. Changes as the customer sees them: receivable and penalty
 * owed, prepaid held for them; the change, then the balance after.
 */
export const eventSchema = Type.Object({
  seq: Type.Integer(),
  accountId: Type.Integer(),
  kind: StringEnum(EVENT_KINDS),
  refType: Type.String(),
  refId: Type.Integer(),
  businessDate: Type.String(),
  at: Type.String(),
  receivableDeltaFen: Fen(),
  prepaidDeltaFen: Fen(),
  penaltyDeltaFen: Fen(),
  receivableFen: Fen({ description: 'owed after the event' }),
  prepaidFen: Fen({ description: 'held for the customer after the event' }),
  penaltyFen: Fen({ description: 'penalty owed after the event' }),
});
export type AccountEvent = Static<typeof eventSchema>;

/** A page of events: `nextCursor` is the last seq given (or the same cursor when there were none). */
export const eventPage = pageOf(eventSchema);
export type EventPage = Static<typeof eventPage>;

export const eventsQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'the seq of the last event seen (0: from the first)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    accountId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof eventsQuery>;

export const streamHeaders = Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) });
export type StreamHeaders = Static<typeof streamHeaders>;
