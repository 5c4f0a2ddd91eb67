import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskPersonName, maskPhone } from './mask.js';

describe('masking', () => {
  it('keeps the first 3 and last 4 digits of a mobile number', () => {
    expect(maskPhone('13912345678')).toBe('139****5678');
  });
  it('keeps the first 4 and last 4 characters of an ID number', () => {
    expect(maskIdNumber('620721199001011234')).toBe('6207**********1234');
  });
  it('masks short values and names', () => {
    expect(maskPhone('12345')).toBe('***45');
    expect(maskPersonName('张三丰')).toBe('张*丰');
    expect(maskPersonName('李四')).toBe('李*');
    expect(maskPhone(null)).toBeNull();
  });
});
