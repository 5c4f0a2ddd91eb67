import { describe, expect, it } from 'vitest';
import { canonicalJson, checkKey, requestHash } from './idempotency.js';

describe('idempotency keys', () => {
  it('treats the same body in another key order as the same request', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(requestHash({ method: 'POST', route: '/p', body: { a: 1, b: 2 } })).toBe(requestHash({ method: 'POST', route: '/p', body: { b: 2, a: 1 } }));
    expect(requestHash({ method: 'POST', route: '/p', body: { a: 1 } })).not.toBe(requestHash({ method: 'POST', route: '/p', body: { a: 2 } }));
  });

  it('checks the header', () => {
    expect(checkKey('abc-123', true)).toBe('abc-123');
    expect(checkKey(undefined, false)).toBeNull();
    expect(() => checkKey(undefined, true)).toThrow(/required/);
    expect(() => checkKey('has space', true)).toThrow(/printable/);
    expect(() => checkKey('x'.repeat(201), true)).toThrow(/printable/);
  });
});
