/** Prepaid fee control (智能交费 / 费控, RULES §7–8): the daily run, the state machine, remote switching. The public surface. */
export { FEE_STATES, PREPAID_MODES, DEFAULT_POLICY, WARN_FEN, disconnectionHeld, protection, inHeatingSeason, type FeeState, type FeePolicy, type PrepaidMode } from './domain/policy.js';
export { decide, availableOf, daysLeftOf, type Decision, type FeeAccount } from './domain/decide.js';
export { runFeeControl, type RunOptions, type RunSummary } from './use-cases/daily-run.js';
export { dispatchDue, handleAck, retryDelayMs, type AckMessage, type CommandMessage, type CommandSettings } from './use-cases/commands.js';
export { feeControlConsumer, FEE_CONTROL_CONSUMER } from './use-cases/react.js';
export type { FeeControlDeps, FeeNotice } from './use-cases/deps.js';
export { commandsInFlight } from './feecontrol.repository.js';
export { feeControlRoutes, type FeeControlFlows } from './feecontrol.routes.js';
export { recordFeeControlRun } from './use-cases/manage.js';
export type { AccountFeeControl, BlackoutDay, DisconnectApproval, DryRun, FeeControlSummary, FeePosition, MeterCommand } from './feecontrol.types.js';
