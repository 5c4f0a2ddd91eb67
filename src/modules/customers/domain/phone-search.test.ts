import { describe, expect, it } from 'vitest';
import { isFullPhone, phoneMatchOf } from './phone-search.js';

describe('phone search', () => {
  it('matches full numbers only for roles that may see phones', () => {
    expect(phoneMatchOf('13551601336', true)).toBe('full');
    expect(phoneMatchOf('13551601336', false)).toBe('none');
    expect(phoneMatchOf('+8613551601336', true)).toBe('full');
  });
  it('matches the last four digits for everyone', () => {
    expect(phoneMatchOf('1336', false)).toBe('last4');
    expect(phoneMatchOf('1336', true)).toBe('last4');
  });
  it('does not treat names, short or mixed texts as phones', () => {
    for (const text of ['张三', '133', '13551a01336', '0100000001x']) expect(phoneMatchOf(text, true)).toBe('none');
    expect(isFullPhone('13551601336')).toBe(true);
    expect(isFullPhone('1336')).toBe(false);
    expect(isFullPhone(undefined)).toBe(false);
  });
});
