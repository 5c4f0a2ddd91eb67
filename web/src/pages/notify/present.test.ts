import { describe, expect, it } from 'vitest';
import { NOTIFICATION_STATES } from './api';
import { filtersOf, paramsOf, STATE_COLORS } from './present';

describe('outbox filters in the address', () => {
  it('reads known values and drops the rest', () => {
    expect(filtersOf(new URLSearchParams('accountId=12&kind=balance_low&channel=sms&state=held'))).toEqual({ accountId: 12, kind: 'balance_low', channel: 'sms', state: 'held' });
    expect(filtersOf(new URLSearchParams('accountId=0x1&kind=weather&channel=fax&state=lost'))).toEqual({ accountId: undefined, kind: undefined, channel: undefined, state: undefined });
    expect(filtersOf(new URLSearchParams('accountId=99999999999999999'))).toEqual(expect.objectContaining({ accountId: undefined }));
  });

  it('writes back only what is set', () => {
    expect(paramsOf({ accountId: 12, kind: undefined, channel: 'app', state: undefined })).toEqual({ accountId: '12', channel: 'app' });
  });

  it('has a colour for every state', () => {
    for (const s of NOTIFICATION_STATES) expect(STATE_COLORS[s]).toBeTruthy();
  });
});
