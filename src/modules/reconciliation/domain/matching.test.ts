import { describe, expect, it } from 'vitest';
import { classify, isException, ledgerSide, resolutionProblem, targetOfAccount, targetOfOrder, unexplainedFen } from './matching.js';

const payment = { paymentId: 7, accountId: 3, amountFen: 10000, reversed: false };

describe('matching a statement row against the ledger', () => {
  it('matches equal amounts and quarantines different ones', () => {
    expect(classify(10000, payment)).toBe('matched');
    expect(classify(9999, payment)).toBe('amount_mismatch');
  });

  it('sees a reversed payment as nothing on the ledger', () => {
    expect(ledgerSide({ ...payment, reversed: true })).toBe(0);
    expect(classify(10000, { ...payment, reversed: true })).toBe('amount_mismatch');
  });
});

describe('where a channel-only row is applied', () => {
  const order = { id: 11, accountId: 3, channel: 'wechatpay', amountFen: 10000 };
  it('to the order its out_trade_no names, when channel and amount agree', () => {
    expect(targetOfOrder('wechatpay', { outTradeNo: 'GR1', amountFen: 10000 }, order)).toEqual({ accountId: 3, orderId: 11 });
  });
  it('nowhere otherwise, with the reason', () => {
    expect(targetOfOrder('wechatpay', { outTradeNo: 'GR1', amountFen: 10000 }, undefined)).toEqual({ reason: 'no payment order GR1' });
    expect(targetOfOrder('alipay', { outTradeNo: 'GR1', amountFen: 10000 }, order)).toEqual({ reason: 'payment order GR1 is for wechatpay, not alipay' });
    expect(targetOfOrder('wechatpay', { outTradeNo: 'GR1', amountFen: 9000 }, order)).toEqual({ reason: 'payment order GR1 is for 10000 fen, the statement says 9000' });
    expect(targetOfOrder('wechatpay', { outTradeNo: null, amountFen: 9000 }, order)).toEqual({ reason: 'no out_trade_no on the statement row' });
  });
  it('a bank line to the account its 户号 names', () => {
    expect(targetOfAccount({ accountNo: '0100000001' }, 3)).toEqual({ accountId: 3, orderId: null });
    expect(targetOfAccount({ accountNo: '0100000001' }, undefined)).toEqual({ reason: 'no account 0100000001' });
  });
});

describe('review', () => {
  it('is for exceptions only, once', () => {
    expect(isException({ status: 'ledger_only', paymentId: 1 })).toBe(true);
    expect(isException({ status: 'amount_mismatch', paymentId: 1 })).toBe(true);
    expect(isException({ status: 'channel_only', paymentId: null })).toBe(true);
    expect(isException({ status: 'channel_only', paymentId: 1 })).toBe(false);
    expect(isException({ status: 'matched', paymentId: 1 })).toBe(false);
    expect(resolutionProblem({ status: 'matched', paymentId: 1, resolved: false })).toBe('a matched item needs no review');
    expect(resolutionProblem({ status: 'ledger_only', paymentId: 1, resolved: true })).toBe('the item is already resolved');
    expect(resolutionProblem({ status: 'ledger_only', paymentId: 1, resolved: false })).toBeNull();
  });
});

describe('I6 for a channel-day', () => {
  it('is zero when every difference is an itemised exception', () => {
    // ledger: 100 matched + 30 ledger-only + 50 (statement says 45); statement: 100 + 45 + 20 channel-only applied (also in ledger)
    const ledgerFen = 100 + 30 + 50 + 20;
    const statementFen = 100 + 45 + 20;
    expect(unexplainedFen({ ledgerFen, statementFen, exceptionLedgerFen: 30 + 50, exceptionStatementFen: 45 })).toBe(0);
  });
  it('shows a payment that reached the ledger after the day was reconciled', () => {
    expect(unexplainedFen({ ledgerFen: 170, statementFen: 100, exceptionLedgerFen: 50, exceptionStatementFen: 0 })).toBe(20);
  });
});
