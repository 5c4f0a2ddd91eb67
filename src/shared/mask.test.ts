import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskPersonalData, maskPersonName, maskPhone } from './mask.js';

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
  it('masks phone and ID numbers at any depth of a detail, and nothing else', () => {
    const detail = { phone: '13551601336', displayName: '张三', contacts: [{ name: '李四', phone: '13912345678' }], customer: { idNumber: '620721199001011234' }, reveal: { phone: true }, count: 2 };
    expect(maskPersonalData(detail)).toEqual({ phone: '135****1336', displayName: '张三', contacts: [{ name: '李四', phone: '139****5678' }], customer: { idNumber: '6207**********1234' }, reveal: { phone: true }, count: 2 });
    expect(maskPersonalData(null)).toBe(null);
  });
});
