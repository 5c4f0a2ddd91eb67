import { describe, expect, it } from 'vitest';
import { pushMessage, pushOutcome } from './gridapp-push.js';

describe('grid app push', () => {
  it('carries the message id, account number, kind, a Chinese title and the text', () => {
    expect(pushMessage({ id: 42, accountNo: '8800000001', kind: 'disconnected', body: '您的户号…', now: new Date('2026-11-20T02:00:00Z') })).toEqual({
      messageId: '42',
      accountNo: '8800000001',
      kind: 'disconnected',
      title: '欠费停电通知',
      content: '您的户号…',
      sentAt: '2026-11-20T02:00:00.000Z',
    });
  });

  it('is sent on 200 SUCCESS only', () => {
    expect(pushOutcome(200, '{"code":"SUCCESS","pushId":"P1"}')).toEqual({ ok: true, providerMessageId: 'P1' });
    expect(pushOutcome(200, '{"code":"SUCCESS"}')).toEqual({ ok: true, providerMessageId: null });
    expect(pushOutcome(401, '{"code":"FAIL","message":"bad signature"}')).toEqual({ ok: false, error: 'HTTP 401 FAIL: bad signature', permanent: false });
    expect(pushOutcome(200, '{"code":"FAIL","message":"no such user"}')).toMatchObject({ ok: false, error: 'HTTP 200 FAIL: no such user' });
    expect(pushOutcome(503, 'down')).toEqual({ ok: false, error: 'HTTP 503: down', permanent: false });
  });
});
