import { describe, expect, it } from 'vitest';
import { redactUrl } from './log.js';

describe('request log URLs', () => {
  it('masks phone numbers and hides other personal search texts', () => {
    expect(redactUrl('/api/v1/accounts?q=13551601336')).toBe('/api/v1/accounts?q=135****1336');
    expect(redactUrl('/api/v1/customers?q=%E5%BC%A0%E4%B8%89&limit=20')).toBe('/api/v1/customers?q=***&limit=20');
  });
  it('leaves URLs without personal parameters alone', () => {
    expect(redactUrl('/api/v1/accounts/12?unmask=true')).toBe('/api/v1/accounts/12?unmask=true');
    expect(redactUrl('/api/v1/bills/3')).toBe('/api/v1/bills/3');
  });
});
