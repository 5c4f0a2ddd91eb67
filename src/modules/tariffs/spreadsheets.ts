import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { csvCell } from '../../shared/csv.js';
import { AppError } from '../../shared/errors.js';

/**
 * CSV and xlsx ↔ grids of cell texts, for the agent-purchase table import and the xlsx/CSV exports.
 * No file system: buffers in, buffers out (the HTTP body and the download).
 */

export type SpreadsheetFormat = 'csv' | 'xlsx';

/** xlsx files are zip archives ("PK\3\4"); anything else is read as CSV text. */
export function formatOf(body: Buffer): SpreadsheetFormat {
  return body.length >= 4 && body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04 ? 'xlsx' : 'csv';
}

export async function gridOf(body: Buffer): Promise<{ format: SpreadsheetFormat; grid: string[][] }> {
  const format = formatOf(body);
  return { format, grid: format === 'xlsx' ? await gridFromXlsx(body) : gridFromCsv(body) };
}

/**
 * CSV as UTF-8 (with or without BOM) or, when that is not valid UTF-8, GB 18030 — what Excel on a
 * Chinese Windows saves "CSV" as.
 */
export function gridFromCsv(body: Buffer): string[][] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    text = new TextDecoder('gb18030').decode(body);
  }
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new AppError('VALIDATION', `the CSV file cannot be read: ${(err as Error).message}`, { errors: [{ field: 'file', message: (err as Error).message }] });
  }
}

/** The first worksheet as texts; numbers keep the shortest decimal form that reads back as the same number. */
export async function gridFromXlsx(body: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
  } catch (err) {
    throw new AppError('VALIDATION', `the xlsx file cannot be read: ${(err as Error).message}`, { errors: [{ field: 'file', message: 'not a readable xlsx workbook' }] });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const grid: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    grid[rowNumber - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(grid, (r) => r ?? []);
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('result' in v) return v.result === undefined ? '' : cellText(v.result as ExcelJS.CellValue);
  if ('text' in v) return String(v.text);
  if ('error' in v) return String(v.error);
  return '';
}

/** RFC 4180 CSV with a BOM, so Excel opens the Chinese text as UTF-8. */
export function csvOf(grid: readonly (readonly string[])[]): Buffer {
  return Buffer.from(`\uFEFF${grid.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`, 'utf8');
}

export interface SheetColumn {
  header: string;
  key: string;
  width?: number;
  /** Excel number format, e.g. '0.00' for yuan. */
  numFmt?: string;
}

export interface Sheet {
  name: string;
  columns: SheetColumn[];
  rows: Record<string, string | number | null>[];
  /** Lines above the table (title, basis), one cell each. */
  preface?: string[];
}

/** One workbook, a sheet per entry, header row bold and frozen. */
export async function xlsxOf(sheets: readonly Sheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Granary';
  for (const s of sheets) {
    const sheet = workbook.addWorksheet(s.name);
    const preface = s.preface ?? [];
    for (const line of preface) sheet.addRow([line]);
    if (preface.length) sheet.addRow([]);
    const head = sheet.addRow(s.columns.map((c) => c.header));
    head.font = { bold: true };
    s.columns.forEach((c, i) => {
      const col = sheet.getColumn(i + 1);
      col.width = c.width ?? 14;
      if (c.numFmt) col.numFmt = c.numFmt;
    });
    for (const r of s.rows) sheet.addRow(s.columns.map((c) => r[c.key] ?? null));
    sheet.views = [{ state: 'frozen', ySplit: head.number }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
