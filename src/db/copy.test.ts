import { describe, expect, it } from 'vitest';
import { copyLine, copyText } from './copy.js';

describe('COPY text encoding', () => {
  it('writes null as \\N and booleans as t/f', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText(true)).toBe('t');
    expect(copyText(false)).toBe('f');
  });
  it('escapes the characters COPY gives meaning to', () => {
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('张三 O\'Brien')).toBe("张三 O'Brien");
  });
  it('writes arrays as quoted PostgreSQL array literals', () => {
    expect(copyText(['total', 'peak'])).toBe('{"total","peak"}');
    expect(copyText(['a"b'])).toBe('{"a\\\\"b"}');
  });
  it('joins a row with tabs and ends it with a newline', () => {
    expect(copyLine([1, 'x', null])).toBe('1\tx\t\\N\n');
  });
});
