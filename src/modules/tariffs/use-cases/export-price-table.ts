import type { Executor } from '../../../db/tx.js';
import { notFound } from '../../../shared/errors.js';
import type { Ctx } from '../../org/index.js';
import type { AgentPriceTable } from '../domain/index.js';
import { gridOfTable } from '../domain/price-table-import.js';
import { findPriceTable } from '../tariffs.repository.js';
import { csvOf, xlsxOf, type SpreadsheetFormat } from '../spreadsheets.js';

/**
 * A month's table as a file in the import format: edit next month's figures in it and import it back
 * (so it doubles as the template). `labels: 'zh'` writes the Chinese headers, which the import reads too.
 */
export async function exportPriceTable(db: Executor, _ctx: Ctx, id: number, format: SpreadsheetFormat, labels: 'en' | 'zh') {
  const t = await findPriceTable(db, id);
  if (!t) throw notFound('agent-purchase price table');
  const grid = gridOfTable(t.definition as unknown as AgentPriceTable, labels);
  const filename = `agent-prices-${t.month}${t.status === 'draft' ? '-draft' : ''}.${format}`;
  if (format === 'csv') return { filename, contentType: 'text/csv; charset=utf-8', body: csvOf(grid) };
  const [head, ...rows] = grid;
  const body = await xlsxOf([
    {
      name: t.month,
      columns: head!.map((h, i) => ({ header: h, key: String(i), width: i < 2 ? 14 : 16 })),
      // prices stay text: a spreadsheet number could not promise "0.3200" back
      rows: rows.map((r) => Object.fromEntries(r.map((v, i) => [String(i), v]))),
    },
  ]);
  return { filename, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
}
