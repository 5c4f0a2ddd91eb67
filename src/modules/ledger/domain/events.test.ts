import { describe, expect, it } from 'vitest';
import { eventKindOf, eventRefsOf } from './events.js';

describe('account events of postings', () => {
  it('name a ref by its main transfer: a penalty brought to charge belongs to the payment or waiver', () => {
    expect(eventKindOf(['penalty.assess', 'payment'])).toBe('payment.applied');
    expect(eventKindOf(['penalty.assess', 'penalty.waiver'])).toBe('penalty.waived');
    expect(eventKindOf(['penalty.assess'])).toBe('penalty.posted');
    expect(eventKindOf(['prepaid.settle'])).toBe('prepaid.debited');
    expect(() => eventKindOf(['no.such'])).toThrow();
  });

  it('make one event per account and ref, with the changes as the customer sees them', () => {
    const d = '2026-11-20';
    const refs = eventRefsOf('payment', [
      { accountId: 1, refId: 10, kind: 'penalty.assess', book: 'penalty', amountFen: 130, businessDate: d },
      { accountId: 1, refId: 10, kind: 'penalty.assess', book: 'revenue.penalty', amountFen: -130, businessDate: d },
      { accountId: 1, refId: 10, kind: 'payment', book: 'clearing.counter', amountFen: 5_000, businessDate: d },
      { accountId: 1, refId: 10, kind: 'payment', book: 'penalty', amountFen: -130, businessDate: d },
      { accountId: 1, refId: 10, kind: 'payment', book: 'receivable', amountFen: -4_000, businessDate: d },
      { accountId: 1, refId: 10, kind: 'payment', book: 'prepaid', amountFen: -870, businessDate: d },
      { accountId: 2, refId: 11, kind: 'payment', book: 'clearing.counter', amountFen: 100, businessDate: d },
      { accountId: 2, refId: 11, kind: 'payment', book: 'prepaid', amountFen: -100, businessDate: d },
    ]);
    expect(refs).toEqual([
      { accountId: 1, refType: 'payment', refId: 10, kind: 'payment.applied', businessDate: d, receivableDeltaFen: -4_000, prepaidDeltaFen: 870, penaltyDeltaFen: 0 },
      { accountId: 2, refType: 'payment', refId: 11, kind: 'payment.applied', businessDate: d, receivableDeltaFen: 0, prepaidDeltaFen: 100, penaltyDeltaFen: 0 },
    ]);
  });
});
