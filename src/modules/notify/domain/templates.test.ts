import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { NOTICE_KINDS } from './kinds.js';
import { ACCOUNT_NO_SLOT, checkNotice, NOTICE_TEMPLATES, REQUIRED_PARAMS, renderNotice, TEMPLATE_VARIABLES, templateVariables, type Notice } from './templates.js';

const params = { accountNo: '8800000001', availableFen: 4_321, daysLeft: 2.7, disconnectOn: '2026-11-23', payUrl: 'https://pay.example.cn/pay' };

describe('notice templates', () => {
  it('renders each kind in Chinese, amounts in 元 from fen', () => {
    expect(renderNotice('balance_low', params)).toBe('您的户号8800000001可用电费余额43.21元，已低于预警金额，请及时缴费，以免影响正常用电。');
    expect(renderNotice('days_left', params)).toBe('您的户号8800000001可用电费余额43.21元，按近期用电预计还可用约2天，请及时缴费。');
    expect(renderNotice('pending_disconnection', { ...params, availableFen: -1_205 })).toBe(
      '您的户号8800000001已欠费12.05元，请于11月23日前缴清，逾期将停止供电。缴费：https://pay.example.cn/pay',
    );
    expect(renderNotice('disconnected', { ...params, availableFen: -99 })).toBe('您的户号8800000001因欠费已停止供电，欠费0.99元，缴清后将自动恢复供电。缴费：https://pay.example.cn/pay');
    expect(renderNotice('reconnected', { ...params, availableFen: 10_000 })).toBe('您的户号8800000001已恢复供电，当前可用电费余额100.00元，感谢您的支持。');
  });

  it('owes nothing when an account below zero has come back up; days never below 0', () => {
    expect(templateVariables('pending_disconnection', { ...params, availableFen: 500 }).amount).toBe('0.00');
    expect(templateVariables('days_left', { ...params, daysLeft: 0.4 }).days).toBe('0');
    expect(templateVariables('balance_low', { availableFen: -5 }).amount).toBe('-0.05');
  });

  it('leaves the account number slot for the outbox to fill when it is not given', () => {
    const { accountNo: _, ...rest } = params;
    for (const kind of NOTICE_KINDS) {
      const text = renderNotice(kind, rest);
      expect(text.startsWith(`您的户号${ACCOUNT_NO_SLOT}`), kind).toBe(true);
      expect(text.replace(ACCOUNT_NO_SLOT, '8800000001')).toBe(renderNotice(kind, params));
      expect(text.replace(ACCOUNT_NO_SLOT, ''), kind).not.toMatch(/\$\{/);
    }
  });

  it('each template uses exactly the variables it declares', () => {
    for (const kind of NOTICE_KINDS) {
      const used = [...NOTICE_TEMPLATES[kind].matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
      expect(new Set(used), kind).toEqual(new Set(TEMPLATE_VARIABLES[kind]));
      expect(Object.keys(templateVariables(kind, params)).sort(), kind).toEqual([...TEMPLATE_VARIABLES[kind]].sort());
    }
  });
});

describe('checkNotice', () => {
  const ok: Notice = { accountId: 7, kind: 'pending_disconnection', params: { availableFen: -100, daysLeft: 0, disconnectOn: '2026-11-23', payUrl: 'http://127.0.0.1:8080/pay' }, dedupeKey: '7:pending_disconnection:2026-11-20' };
  const refusal = (n: Notice) => {
    try {
      checkNotice(n);
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      return (err as AppError).details.errors![0]!.field;
    }
    return null;
  };

  it('accepts a notice with what its kind needs', () => {
    expect(refusal(ok)).toBeNull();
    for (const kind of NOTICE_KINDS) expect(refusal({ ...ok, kind }), kind).toBeNull();
  });

  it('refuses a missing or ill-typed parameter, naming it', () => {
    for (const kind of NOTICE_KINDS) {
      for (const name of REQUIRED_PARAMS[kind]) {
        const { [name]: _, ...rest } = ok.params;
        expect(refusal({ ...ok, kind, params: rest }), `${kind} without ${name}`).toBe(`params.${name}`);
      }
    }
    expect(refusal({ ...ok, params: { ...ok.params, availableFen: 1.5 } })).toBe('params.availableFen');
    expect(refusal({ ...ok, params: { ...ok.params, availableFen: '100' } })).toBe('params.availableFen');
    expect(refusal({ ...ok, kind: 'days_left', params: { availableFen: 1, daysLeft: -1 } })).toBe('params.daysLeft');
    expect(refusal({ ...ok, params: { ...ok.params, disconnectOn: '2026-13-01' } })).toBe('params.disconnectOn');
    expect(refusal({ ...ok, params: { ...ok.params, payUrl: 'javascript:alert(1)' } })).toBe('params.payUrl');
    expect(refusal({ ...ok, params: { ...ok.params, payUrl: 'https://x.cn/${accountNo}' } })).toBe('params.payUrl');
  });

  it('refuses a bad account id, kind or dedupe key', () => {
    expect(refusal({ ...ok, accountId: 0 })).toBe('accountId');
    expect(refusal({ ...ok, kind: 'weather' as Notice['kind'] })).toBe('kind');
    expect(refusal({ ...ok, dedupeKey: '' })).toBe('dedupeKey');
    expect(refusal({ ...ok, dedupeKey: 'has space' })).toBe('dedupeKey');
    expect(refusal({ ...ok, dedupeKey: 'x'.repeat(201) })).toBe('dedupeKey');
  });
});
