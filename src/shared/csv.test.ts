import { describe, expect, it } from 'vitest';
import { csvCell } from './csv.js';

describe('csvCell', () => {
  it('turns what a spreadsheet would run as a formula into text', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('=HYPERLINK("http://evil.example/","click")')).toBe('"\'=HYPERLINK(""http://evil.example/"",""click"")"');
    expect(csvCell('+SUM(1;2)')).toBe("'+SUM(1;2)");
    expect(csvCell('@SUM(1+1)')).toBe("'@SUM(1+1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe('"\'\r=1"');
  });
  it('keeps numbers, plain text and empty values as they are, quoting where needed', () => {
    expect(csvCell('-12.30')).toBe('-12.30');
    expect(csvCell('+5')).toBe('+5');
    expect(csvCell('余额不足')).toBe('余额不足');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(' x')).toBe('" x"');
    expect(csvCell('')).toBe('');
    expect(csvCell(null)).toBe('');
  });
});
