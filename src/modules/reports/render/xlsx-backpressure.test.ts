import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { roomInZip, zipBacklog, zipEntryStream } from './xlsx-backpressure.js';

describe('xlsx backpressure', () => {
  // 60,000 rows: a few seconds on a quiet machine, more on a loaded one
  it('finds the zip entry stream of a streamed sheet in this exceljs, and keeps its backlog near one batch', { timeout: 60_000 }, async () => {
    const out = new PassThrough();
    let bytes = 0;
    out.on('data', (c: Buffer) => (bytes += c.length));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('账单');
    let maxBacklog = 0;
    for (let i = 1; i <= 60_000; i++) {
      sheet.addRow([i, String(1_000_000_000 + i), '肃南裕固新型材料有限公司', '红湾寺供电所', 251.15, 135.43, 13543, '已发行']).commit();
      if (i % 2000 === 0) {
        expect(zipEntryStream(sheet), 'exceljs internals moved: the summary would lose its backpressure').not.toBeNull();
        maxBacklog = Math.max(maxBacklog, zipBacklog(sheet));
        await roomInZip(sheet, out);
      }
    }
    sheet.commit();
    await workbook.commit();
    expect(bytes).toBeGreaterThan(100_000);
    // 2,000 rows of XML are ~0.5 MB; without waiting the backlog grows with every row (~22 MB here)
    expect(maxBacklog).toBeLessThan(2 * 2 ** 20);
  });
});
