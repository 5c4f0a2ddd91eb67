import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { AppError } from '../../shared/errors.js';
import { decodeCursor, DEFAULT_LIMIT } from '../../shared/pagination.js';
import { insertAudit } from '../audit/index.js';
import { auditBy } from '../org/index.js';
import {
  accountFeeQuery,
  accountFeeSchema,
  approvalCreated,
  approvalDecisionBody,
  approvalRequestBody,
  approvalsQuery,
  accountsQuery,
  blackoutBody,
  blackoutList,
  blackoutParams,
  blackoutQuery,
  blackoutSchema,
  commandPage,
  commandSchema,
  commandsQuery,
  disconnectApprovalPage,
  disconnectApprovalSchema,
  dryRunQuery,
  dryRunSchema,
  idParams,
  positionPage,
  positionSchema,
  runSummarySchema,
  summarySchema,
  warningBody,
  type AccountsQuery,
  type ApprovalDecisionInput,
  type ApprovalRequestInput,
  type ApprovalsQuery,
  type BlackoutInput,
  type BlackoutQuery,
  type CommandsQuery,
  type DryRunQuery,
  type WarningInput,
} from './feecontrol.types.js';
import type { RunSummary } from './use-cases/daily-run.js';
import { addBlackoutDay, cancelCommand, decideApproval, removeBlackoutDay, requestApprovals, retryCommand, setWarningAmount } from './use-cases/manage.js';
import { blackoutDays, cronHour, dryRun, getAccountFeeControl, getSummary, listApprovals, listCommands, listPositions, requireFeeControl } from './use-cases/queries.js';

/** The workflow the routes reach (modules do not import workflows/): the day's run, as the daily job runs it. */
export interface FeeControlFlows {
  runToday(): Promise<RunSummary>;
}

type Id = { Params: { id: number } };
const cursorOf = (c: string | undefined) => decodeCursor(c) || null;
const tags = ['fee control'];

/**
 * Prepaid fee control (智能交费 / 费控, RULES §7–8): the monitor (counts per state and org unit, positions, the
 * dry run of the guards, the command queue), the blackout calendar, disconnection approvals, an account's
 * warning amount and history, and "run today now". Reads need feecontrol.view and are scoped; edits say whom.
 */
export async function feeControlRoutes(app: FastifyInstance, deps: AppDeps, flows: FeeControlFlows): Promise<void> {
  const defaultHour = cronHour(deps.config.ami.feeControlCron) ?? 10;
  let running: Promise<RunSummary> | null = null;

  app.get(
    '/fee-control/summary',
    { schema: { tags, summary: 'Accounts per state per org unit of your scope, today’s warnings, pending disconnections, commands by state, today’s command latency, the latest run', response: { 200: summarySchema } } },
    async (request) => getSummary(deps.db, ctxOf(request, deps)),
  );

  app.get<{ Querystring: AccountsQuery }>(
    '/fee-control/accounts',
    {
      schema: {
        tags,
        summary: 'Prepaid accounts of your scope with state, available balance, estimate, days left, held reason and protections (phones masked), by account id',
        querystring: accountsQuery,
        response: { 200: positionPage },
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      return listPositions(deps.db, ctxOf(request, deps), { ...filters, afterId: decodeCursor(cursor), limit: limit ?? DEFAULT_LIMIT });
    },
  );

  app.get<{ Querystring: DryRunQuery }>(
    '/fee-control/dry-run',
    {
      schema: {
        tags,
        summary: 'Who would be disconnected on a day (default tomorrow) and for everyone else exactly why not: the guards of the daily run over pending and projected accounts',
        querystring: dryRunQuery,
        response: { 200: dryRunSchema },
      },
    },
    async (request) => dryRun(deps.db, ctxOf(request, deps), { ...request.query, defaultHour }),
  );

  app.get<{ Querystring: CommandsQuery }>(
    '/fee-control/commands',
    { schema: { tags, summary: 'Remote switching commands of your accounts, newest first, with attempts and latency', querystring: commandsQuery, response: { 200: commandPage } } },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      return listCommands(deps.db, ctxOf(request, deps), { ...filters, beforeId: cursorOf(cursor), limit: limit ?? DEFAULT_LIMIT });
    },
  );

  app.post<Id>(
    '/fee-control/commands/:id/retry',
    { schema: { tags, summary: 'Send an escalated or failed command again (a disconnection only while still due and not held now); feecontrol.manage, audited', params: idParams, response: { 200: commandSchema } } },
    async (request) => {
      const ctx = ctxOf(request, deps);
      const command = await inTransaction(deps.db, (trx) => retryCommand(trx, ctx, request.params.id));
      deps.wakeCommands?.();
      return command;
    },
  );

  app.post<Id>(
    '/fee-control/commands/:id/cancel',
    { schema: { tags, summary: 'Give up an escalated command (a cancelled reconnection puts the account back to disconnected); feecontrol.manage, audited', params: idParams, response: { 200: commandSchema } } },
    async (request) => {
      const ctx = ctxOf(request, deps);
      return inTransaction(deps.db, (trx) => cancelCommand(trx, ctx, request.params.id));
    },
  );

  app.get<{ Querystring: BlackoutQuery }>(
    '/fee-control/blackout-days',
    { schema: { tags, summary: 'The blackout calendar: days without disconnections (holidays, extreme weather …), by default from a month ago to a year ahead', querystring: blackoutQuery, response: { 200: blackoutList } } },
    async (request) => blackoutDays(deps.db, ctxOf(request, deps), request.query),
  );

  app.post<{ Body: BlackoutInput }>(
    '/fee-control/blackout-days',
    { schema: { tags, summary: 'Add a day to the blackout calendar (or change its kind and note); feecontrol.manage, audited', body: blackoutBody, response: { 201: blackoutSchema } } },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      return reply.code(201).send(await inTransaction(deps.db, (trx) => addBlackoutDay(trx, ctx, request.body)));
    },
  );

  app.delete<{ Params: { day: string } }>(
    '/fee-control/blackout-days/:day',
    { schema: { tags, summary: 'Remove a day from the blackout calendar; feecontrol.manage, audited', params: blackoutParams } },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      await inTransaction(deps.db, (trx) => removeBlackoutDay(trx, ctx, request.params.day));
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: ApprovalsQuery }>(
    '/fee-control/approvals',
    { schema: { tags, summary: 'Disconnection approvals of your accounts, newest first; mayDecide marks those you may decide now', querystring: approvalsQuery, response: { 200: disconnectApprovalPage } } },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      return listApprovals(deps.db, ctxOf(request, deps), { ...filters, beforeId: cursorOf(cursor), limit: limit ?? DEFAULT_LIMIT });
    },
  );

  app.post<{ Body: ApprovalRequestInput }>(
    '/fee-control/approvals',
    {
      schema: {
        tags,
        summary: 'Request approval to disconnect accounts the guards hold (protected, heating season, high voltage: company level; bulk: two approvers); feecontrol.manage, audited',
        body: approvalRequestBody,
        response: { 201: approvalCreated },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      return reply.code(201).send(await inTransaction(deps.db, (trx) => requestApprovals(trx, ctx, request.body)));
    },
  );

  app.post<Id & { Body: ApprovalDecisionInput }>(
    '/fee-control/approvals/:id/decide',
    {
      schema: {
        tags,
        summary: 'Approve or reject a disconnection: company level for protected and high-voltage customers, a station head for its station otherwise; a bulk one needs a second, different approver. feecontrol.approve, audited',
        params: idParams,
        body: approvalDecisionBody,
        response: { 200: disconnectApprovalSchema },
      },
    },
    async (request) => {
      const ctx = ctxOf(request, deps);
      return inTransaction(deps.db, (trx) => decideApproval(trx, ctx, request.params.id, request.body));
    },
  );

  app.put<Id & { Body: WarningInput }>(
    '/accounts/:id/fee-control/warning',
    { schema: { tags, summary: "The customer's warning amount, 10–200 元 (in fen); customers.write, audited", params: idParams, body: warningBody, response: { 200: positionSchema } } },
    async (request) => {
      const ctx = ctxOf(request, deps);
      return inTransaction(deps.db, (trx) => setWarningAmount(trx, ctx, request.params.id, request.body.warnFen));
    },
  );

  app.get<Id & { Querystring: { days?: number } }>(
    '/accounts/:id/fee-control',
    {
      schema: {
        tags,
        summary: "An account's fee control: position, daily balance timeline (prepaid, unbilled estimates, available), estimates vs issued bills per period, commands and state changes",
        params: idParams,
        querystring: accountFeeQuery,
        response: { 200: accountFeeSchema },
      },
    },
    async (request) => getAccountFeeControl(deps.db, ctxOf(request, deps), request.params.id, request.query),
  );

  app.post(
    '/fee-control/runs',
    { schema: { tags, summary: "Run today's fee control now (what the daily job does; rerunning a day is safe); feecontrol.manage, audited", response: { 200: runSummarySchema } } },
    async (request) => {
      const ctx = ctxOf(request, deps);
      requireFeeControl(ctx, 'feecontrol.manage', "run today's fee control");
      if (running) throw new AppError('CONFLICT', 'a run started here is still in progress');
      running = flows.runToday();
      try {
        const summary = await running;
        await insertAudit(deps.db, { ...auditBy(ctx), action: 'feecontrol.run', entity: 'fee_control_run', entityId: null, detail: { ...summary } });
        return summary;
      } finally {
        running = null;
      }
    },
  );
}
