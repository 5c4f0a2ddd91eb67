/**
 * The fee-control API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases return and the web app imports (`import type`). Money is integer fen.
 */
import { Fen, idParams, Nullable, pageOf, pageQuery, StringEnum, Type, type Static, type TSchema } from '../../platform/schemas.js';
import { FEE_STATES, PREPAID_MODES, WARN_FEN } from './domain/policy.js';

export { idParams, pageQuery };

export const COMMAND_STATES = ['staged', 'sent', 'done', 'failed', 'escalated', 'cancelled'] as const;
export type CommandState = (typeof COMMAND_STATES)[number];
export const COMMAND_ACTIONS = ['disconnect', 'reconnect'] as const;
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'void'] as const;
export type DisconnectApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export const BLACKOUT_KINDS = ['holiday', 'weather', 'other'] as const;
/** What protects a customer from disconnection without company approval (RULES §7); heating_season only in season. */
export const PROTECTIONS = ['medical', 'important', 'vulnerable', 'heating_company', 'heating_season'] as const;
export type Protection = (typeof PROTECTIONS)[number];

const OrNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const date = Type.String({ format: 'date' });
const stateCounts = Type.Object({ normal: Type.Integer(), warned: Type.Integer(), pending: Type.Integer(), disconnected: Type.Integer(), reconnecting: Type.Integer() });
export type StateCounts = Static<typeof stateCounts>;
const commandCounts = Type.Object(
  { staged: Type.Integer(), sent: Type.Integer(), done: Type.Integer(), failed: Type.Integer(), escalated: Type.Integer(), cancelled: Type.Integer() },
  { description: 'open commands, and those staged today' },
);

// ——— summary (the monitor) ———

export const unitCountsSchema = Type.Object({
  kind: StringEnum(['company', 'station', 'area'] as const),
  id: Type.Integer(),
  name: Type.String(),
  parentId: Nullable(Type.Integer()),
  counts: stateCounts,
  total: Type.Integer(),
});
export type UnitCounts = Static<typeof unitCountsSchema>;

export const runSummarySchema = Type.Object({
  accounts: Type.Integer(),
  estimated: Type.Integer(),
  byState: stateCounts,
  changes: Type.Integer(),
  notices: Type.Integer(),
  disconnects: Type.Integer(),
  held: Type.Integer(),
  cancelled: Type.Integer(),
});

export const runSchema = Type.Object({
  id: Type.Integer(),
  businessDate: Type.String(),
  status: StringEnum(['running', 'done', 'failed'] as const),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  accounts: Type.Integer(),
  summary: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description: "the run's RunSummary" }),
  error: Nullable(Type.String()),
});
export type FeeControlRun = Static<typeof runSchema>;

export const latencySchema = Type.Object({
  count: Type.Integer({ description: 'commands acknowledged done today' }),
  p50: Nullable(Type.Integer()),
  p95: Nullable(Type.Integer()),
  p99: Nullable(Type.Integer()),
});

export const summarySchema = Type.Object({
  asOf: Type.String({ description: 'the business day' }),
  units: Type.Array(unitCountsSchema, { description: 'the company, then its stations and areas as the scope allows; each counts its accounts per state' }),
  byState: stateCounts,
  warningsToday: Type.Integer({ description: 'accounts that turned warned today' }),
  pendingDisconnections: Type.Integer({ description: 'accounts below zero, not yet disconnected' }),
  held: Type.Integer({ description: 'of those, disconnections due but held by a guard' }),
  commands: commandCounts,
  latencyMs: latencySchema,
  lastRun: OrNull(runSchema),
});
export type FeeControlSummary = Static<typeof summarySchema>;

// ——— accounts ———

export const accountsQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(FEE_STATES)),
    stationId: Type.Optional(Type.Integer({ minimum: 1 })),
    areaId: Type.Optional(Type.Integer({ minimum: 1 })),
    mode: Type.Optional(StringEnum(PREPAID_MODES)),
    large: Type.Optional(Type.Boolean({ description: 'purchase-before-use accounts and non-residential smart-prepaid ones only' })),
    ...pageQuery.properties,
  },
  { additionalProperties: false },
);
export type AccountsQuery = Static<typeof accountsQuery>;

export const openCommandSchema = Type.Object({ id: Type.Integer(), action: StringEnum(COMMAND_ACTIONS), state: StringEnum(COMMAND_STATES) });

/** Where a prepaid account stands after the latest run or payment. */
export const positionSchema = Type.Object({
  accountId: Type.Integer(),
  accountNo: Type.String(),
  name: Type.String(),
  phone: Nullable(Type.String({ description: 'masked' })),
  category: Type.String(),
  voltageLevel: Type.String(),
  paymentMode: StringEnum(PREPAID_MODES),
  stationId: Type.Integer(),
  stationName: Type.String(),
  areaId: Type.Integer(),
  areaName: Type.String(),
  state: StringEnum(FEE_STATES),
  since: Type.String(),
  warnFen: Fen({ description: "the customer's warning amount" }),
  prepaidFen: Fen(),
  owedFen: Fen({ description: 'open principal and penalty' }),
  estimateFen: Fen({ description: 'estimated charges not yet billed' }),
  availableFen: Fen({ description: 'prepaid − owed − unbilled estimates' }),
  dailyFen: Fen({ description: 'recent average daily charge' }),
  daysLeft: Nullable(Type.Number({ description: 'forecast days left (null: no use to forecast from)' })),
  belowZeroOn: Nullable(Type.String()),
  runOn: Nullable(Type.String()),
  heldReason: Nullable(Type.String({ description: 'why a disconnection that is due has not been staged' })),
  protections: Type.Array(StringEnum(PROTECTIONS)),
  openCommand: OrNull(openCommandSchema),
  updatedAt: Type.String(),
});
export type FeePosition = Static<typeof positionSchema>;
export const positionPage = pageOf(positionSchema);

// ——— dry run ———

export const dryRunQuery = Type.Object(
  {
    date: Type.Optional(Type.String({ format: 'date', description: 'the business day (default: tomorrow)' })),
    hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23, description: 'local hour of the run (default: the daily job’s)' })),
  },
  { additionalProperties: false },
);
export type DryRunQuery = Static<typeof dryRunQuery>;

export const dryRunItemSchema = Type.Object({
  accountId: Type.Integer(),
  accountNo: Type.String(),
  name: Type.String(),
  stationId: Type.Integer(),
  stationName: Type.String(),
  areaName: Type.String(),
  category: Type.String(),
  paymentMode: StringEnum(PREPAID_MODES),
  state: StringEnum(FEE_STATES),
  availableFen: Fen({ description: 'now' }),
  projectedFen: Fen({ description: 'on the day: available − daily × days' }),
  dailyFen: Fen(),
  belowZeroOn: Type.String({ description: 'the day it went (or will go) below zero: the grace period counts from it' }),
  protections: Type.Array(StringEnum(PROTECTIONS)),
  approved: Type.Boolean(),
  verdict: StringEnum(['disconnect', 'held', 'in_progress'] as const),
  reason: Nullable(Type.String({ description: 'why not (held), or the command in flight' })),
  /** the station's disconnections of the day exceed the bulk threshold: two approvers (RULES §7) */
  bulk: Type.Boolean(),
});
export type DryRunItem = Static<typeof dryRunItemSchema>;

export const dryRunSchema = Type.Object({
  date: Type.String(),
  hour: Type.Integer(),
  blackout: OrNull(Type.Object({ kind: Type.String(), note: Type.String() })),
  disconnect: Type.Integer(),
  held: Type.Integer(),
  bulkAbove: Type.Integer(),
  total: Type.Integer({ description: 'accounts considered; items lists the first 2000' }),
  items: Type.Array(dryRunItemSchema),
});
export type DryRun = Static<typeof dryRunSchema>;

// ——— commands ———

export const commandsQuery = Type.Object({ state: Type.Optional(StringEnum(COMMAND_STATES)), accountId: Type.Optional(Type.Integer({ minimum: 1 })), ...pageQuery.properties }, { additionalProperties: false });
export type CommandsQuery = Static<typeof commandsQuery>;

export const commandSchema = Type.Object({
  id: Type.Integer(),
  commandId: Type.String(),
  accountId: Type.Integer(),
  accountNo: Type.String(),
  accountName: Type.String(),
  meterNo: Type.String(),
  action: StringEnum(COMMAND_ACTIONS),
  cause: Type.String(),
  state: StringEnum(COMMAND_STATES),
  attempts: Type.Integer(),
  stagedAt: Type.String(),
  firstSentAt: Nullable(Type.String()),
  sentAt: Nullable(Type.String()),
  ackedAt: Nullable(Type.String()),
  nextAttemptAt: Type.String(),
  latencyMs: Nullable(Type.Integer({ description: 'staged → acknowledged done' })),
  lastError: Nullable(Type.String()),
});
export type MeterCommand = Static<typeof commandSchema>;
export const commandPage = pageOf(commandSchema);

// ——— blackout calendar ———

export const blackoutQuery = Type.Object({ from: Type.Optional(date), to: Type.Optional(date) }, { additionalProperties: false });
export type BlackoutQuery = Static<typeof blackoutQuery>;
export const blackoutBody = Type.Object(
  { day: Type.String({ format: 'date' }), kind: StringEnum(BLACKOUT_KINDS), note: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
export type BlackoutInput = Static<typeof blackoutBody>;
export const blackoutParams = Type.Object({ day: Type.String({ format: 'date' }) }, { additionalProperties: false });
export const blackoutSchema = Type.Object({ day: Type.String(), kind: StringEnum(BLACKOUT_KINDS), note: Type.String(), createdBy: Nullable(Type.String()), createdAt: Type.String() });
export type BlackoutDay = Static<typeof blackoutSchema>;
export const blackoutList = Type.Object({ items: Type.Array(blackoutSchema), nextCursor: Type.Null() });

// ——— approvals ———

export const approvalsQuery = Type.Object({ status: Type.Optional(StringEnum(APPROVAL_STATUSES)), ...pageQuery.properties }, { additionalProperties: false });
export type ApprovalsQuery = Static<typeof approvalsQuery>;
export const approvalRequestBody = Type.Object(
  {
    accountIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true }),
    reason: Type.String({ minLength: 2, maxLength: 500 }),
    bulk: Type.Optional(Type.Boolean({ description: 'part of a bulk disconnection: two approvers (set anyway above the bulk threshold)' })),
  },
  { additionalProperties: false },
);
export type ApprovalRequestInput = Static<typeof approvalRequestBody>;
export const approvalDecisionBody = Type.Object({ approve: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type ApprovalDecisionInput = Static<typeof approvalDecisionBody>;

export const disconnectApprovalSchema = Type.Object({
  id: Type.Integer(),
  accountId: Type.Integer(),
  accountNo: Type.String(),
  accountName: Type.String(),
  stationName: Type.String(),
  reason: Type.String(),
  bulk: Type.Boolean(),
  status: StringEnum(APPROVAL_STATUSES),
  protections: Type.Array(StringEnum(PROTECTIONS)),
  companyLevel: Type.Boolean({ description: 'protected or high-voltage: only company-level roles approve' }),
  requestedAt: Type.String(),
  firstBy: Nullable(Type.String()),
  firstAt: Nullable(Type.String()),
  secondBy: Nullable(Type.String()),
  secondAt: Nullable(Type.String()),
  mayDecide: Type.Boolean({ description: 'you may approve or reject it now' }),
});
export type DisconnectApproval = Static<typeof disconnectApprovalSchema>;
export const disconnectApprovalPage = pageOf(disconnectApprovalSchema);
export const approvalCreated = Type.Object({ items: Type.Array(disconnectApprovalSchema) });

// ——— one account ———

export const warningBody = Type.Object(
  { warnFen: Fen({ minimum: WARN_FEN.min, maximum: WARN_FEN.max, description: 'the warning amount, 10–200 元 in fen' }) },
  { additionalProperties: false },
);
export type WarningInput = Static<typeof warningBody>;

export const accountFeeQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 7, maximum: 400, description: 'days of timeline (default 90)' })) }, { additionalProperties: false });

export const timelinePointSchema = Type.Object({
  day: Type.String(),
  prepaidFen: Fen({ description: 'held for the customer at the end of the day' }),
  owedFen: Fen({ description: 'open principal and penalty at the end of the day' }),
  estimateFen: Fen({ description: 'estimated charges not yet billed' }),
  availableFen: Fen(),
  dayFen: Nullable(Fen({ description: "the day's estimated charge" })),
});
export type TimelinePoint = Static<typeof timelinePointSchema>;

export const moneyMoveSchema = Type.Object({ seq: Type.Integer(), businessDate: Type.String(), at: Type.String(), kind: Type.String(), prepaidDeltaFen: Fen(), prepaidFen: Fen() });

export const periodSchema = Type.Object({
  period: Type.String(),
  estimateFen: Nullable(Fen({ description: 'the last cycle-to-date estimate of the period' })),
  estimateKwh: Nullable(Type.String()),
  estimatedThrough: Nullable(Type.String()),
  estimateDays: Type.Integer(),
  billId: Nullable(Type.Integer()),
  billFen: Nullable(Fen({ description: 'the issued regular bill' })),
  billKwh: Nullable(Type.String()),
  issuedOn: Nullable(Type.String()),
  differenceFen: Nullable(Fen({ description: 'bill − estimate (the true-up)' })),
});
export type PeriodComparison = Static<typeof periodSchema>;

export const changeSchema = Type.Object({ id: Type.Integer(), from: StringEnum(FEE_STATES), to: StringEnum(FEE_STATES), reason: Type.String(), businessDate: Type.String(), at: Type.String() });
export type StateChange = Static<typeof changeSchema>;

export const accountFeeSchema = Type.Object({
  accountId: Type.Integer(),
  prepaid: Type.Boolean({ description: 'smart prepaid or purchase-before-use' }),
  position: OrNull(positionSchema),
  timeline: Type.Array(timelinePointSchema),
  moves: Type.Array(moneyMoveSchema),
  periods: Type.Array(periodSchema),
  commands: Type.Array(commandSchema),
  changes: Type.Array(changeSchema),
});
export type AccountFeeControl = Static<typeof accountFeeSchema>;

export const runResultSchema = runSummarySchema;
