import { describe, expect, it } from 'vitest';
import { counterTxnId } from './counter-txn.js';

describe('counter transaction ids', () => {
  it('keep a short key readable and fit any key the README allows (1–200 characters) into 128', () => {
    expect(counterTxnId(12, 'abc')).toBe('CTR-12-abc');
    for (const length of [110, 121, 125, 128, 200]) {
      const key = 'k'.repeat(length);
      const id = counterTxnId(123456, key);
      expect(id.length).toBeLessThanOrEqual(128);
      expect(counterTxnId(123456, key)).toBe(id);
      expect(counterTxnId(123456, `${key.slice(1)}x`)).not.toBe(id);
    }
    expect(counterTxnId(1, 'k'.repeat(200))).toMatch(/^CTRH-1-[0-9a-f]{64}$/);
  });
});
