import type { NoticeKind } from '../../notify/index.js';
import { availableOf, daysLeftOf, DEFAULT_POLICY, disconnectionHeld, type FeePolicy, type FeeState, type GuardAccount, type GuardDay } from './policy.js';

export { availableOf, daysLeftOf };

/**
 * The fee-control state machine (RULES §8.3): normal → warned → pending → disconnected → reconnecting → normal.
 * One pure function decides for the daily run and for a payment; only the daily run disconnects.
 */

export interface FeeAccount extends Omit<GuardAccount, 'belowZeroOn'> {
  accountId: number;
  state: FeeState;
  warnFen: number;
  belowZeroOn: string | null;
  prepaidFen: number;
  /** open principal and penalty: a prepaid account whose bill the balance did not cover owes the rest */
  owedFen: number;
  /** estimated charges not yet billed */
  estimateFen: number;
  /** recent average daily charge (0: no use seen) */
  dailyFen: number;
  /** the account's command in flight, if any */
  openCommand: 'disconnect' | 'reconnect' | null;
}

export interface Decision {
  state: FeeState;
  /** why it is in that state (kept with the change) */
  reason: string;
  availableFen: number;
  daysLeft: number | null;
  belowZeroOn: string | null;
  /** a disconnection that is due but held back, and why */
  heldReason: string | null;
  notice: NoticeKind | null;
  command: 'disconnect' | 'reconnect' | 'cancel_disconnect' | null;
}


export function decide(a: FeeAccount, day: GuardDay, source: 'run' | 'payment', policy: FeePolicy = DEFAULT_POLICY): Decision {
  const availableFen = availableOf(a);
  const daysLeft = daysLeftOf(availableFen, a.dailyFen);
  const base = { availableFen, daysLeft, heldReason: null, notice: null, command: null } as const;

  if (a.state === 'disconnected' || a.state === 'reconnecting') {
    if (a.state === 'disconnected' && availableFen > 0 && a.openCommand !== 'reconnect')
      return { ...base, state: 'reconnecting', reason: 'available balance above zero: reconnect', belowZeroOn: null, command: 'reconnect' };
    return { ...base, state: a.state, reason: a.state === 'disconnected' ? 'available balance not above zero' : 'reconnect in progress', belowZeroOn: a.belowZeroOn };
  }

  if (availableFen < 0) {
    const belowZeroOn = a.belowZeroOn ?? day.today;
    const notice = a.state === 'pending' ? null : 'pending_disconnection';
    if (a.openCommand === 'disconnect' || source === 'payment')
      return { ...base, state: 'pending', reason: 'available balance below zero', belowZeroOn, notice };
    const held = disconnectionHeld({ ...a, belowZeroOn }, day, policy);
    return { ...base, state: 'pending', reason: 'available balance below zero', belowZeroOn, notice, heldReason: held, command: held ? null : 'disconnect' };
  }

  const warnDays = policy.warnDays[a.paymentMode];
  const low = availableFen <= a.warnFen;
  const short = daysLeft !== null && daysLeft <= warnDays;
  const cancel = a.openCommand === 'disconnect' ? ('cancel_disconnect' as const) : null;
  if (low || short) {
    const notice = a.state === 'warned' ? null : low ? 'balance_low' : 'days_left';
    const reason = low ? `available ${availableFen} fen ≤ warning amount ${a.warnFen} fen` : `forecast ${daysLeft} days left ≤ ${warnDays}`;
    return { ...base, state: 'warned', reason, belowZeroOn: null, notice, command: cancel };
  }
  return { ...base, state: 'normal', reason: 'available balance above the warning amount', belowZeroOn: null, command: cancel };
}
