import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { parseReadsPayload } from './reads-payload.js';

const one = { meterNo: 'M1', readOn: '2026-12-01', total: '100.00' };

function refusal(text: string, opts = {}): AppError {
  try {
    parseReadsPayload(text, opts);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseReadsPayload', () => {
  it('reads one JSON object, a JSON array, or NDJSON', () => {
    expect(parseReadsPayload(JSON.stringify(one))).toEqual([one]);
    expect(parseReadsPayload(JSON.stringify([one, { ...one, readOn: '2026-12-02', total: 101.5 }]))).toHaveLength(2);
    expect(parseReadsPayload(`${JSON.stringify(one)}\n\n${JSON.stringify({ ...one, peak: null })}\r\n`)).toEqual([one, { ...one, peak: null }]);
    expect(parseReadsPayload('[]')).toEqual([]);
  });

  it('takes the meter of an MQTT topic for reads without one, and refuses a read of another meter', () => {
    expect(parseReadsPayload('{"readOn":"2026-12-01","total":1}', { meterNo: 'M9' })).toEqual([{ meterNo: 'M9', readOn: '2026-12-01', total: 1 }]);
    expect(refusal(JSON.stringify(one), { meterNo: 'M9' }).details.errors?.[0]?.field).toBe('0.meterNo');
  });

  it('refuses a batch that cannot be read, whole, as VALIDATION naming where', () => {
    const cases: [string, string][] = [
      ['', 'body'],
      ['   \n', 'body'],
      ['[{"meterNo":"M1",', 'body'],
      ['{"meterNo":"M1"}\n{"meterNo":', 'line 2'],
      [`${JSON.stringify(one)}\nnot json`, 'line 2'],
      ['"M1"', '0'],
      ['[1]', '0'],
      ['[[]]', '0'],
      ['{"readOn":"2026-12-01","total":"1"}', '0.meterNo'],
      ['{"meterNo":"","readOn":"2026-12-01","total":"1"}', '0.meterNo'],
      ['{"meterNo":"M1","total":"1"}', '0.readOn'],
      ['{"meterNo":"M1","readOn":20261201,"total":"1"}', '0.readOn'],
      ['{"meterNo":"M1","readOn":"2026-12-01"}', '0.total'],
      ['{"meterNo":"M1","readOn":"2026-12-01","total":null}', '0.total'],
      ['{"meterNo":"M1","readOn":"2026-12-01","total":true}', '0.total'],
      ['{"meterNo":"M1","readOn":"2026-12-01","total":"1","peak":{}}', '0.peak'],
      ['{"meterNo":"M1","readOn":"2026-12-01","total":"1","reactive":"1"}', '0.reactive'],
      ['{"meterNo":"M1","readOn":"2026-12-01","total":"1","__proto__":{"x":1}}', '0.__proto__'],
      ['{"meterNo":"M\\u0000","readOn":"2026-12-01","total":"1"}', '0.meterNo'],
      [`[${JSON.stringify(one)},{"meterNo":"M2","readOn":"2026-12-01"}]`, '1.total'],
    ];
    for (const [text, field] of cases) {
      const err = refusal(text);
      expect(err.code, text).toBe('VALIDATION');
      expect(err.details.errors?.[0]?.field, text).toBe(field);
      expect(err.message, text).toContain(field);
    }
  });

  it('leaves values to the rules: a bad date or a negative register is well-formed', () => {
    expect(parseReadsPayload('{"meterNo":"M1","readOn":"2026-02-30","total":"-1"}')).toHaveLength(1);
  });
});
