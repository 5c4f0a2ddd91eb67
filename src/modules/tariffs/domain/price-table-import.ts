import type { FieldError } from '../../../shared/errors.js';
import { AGENT_COMPONENTS, type AgentPriceRow, type AgentPriceTable, type PriceColumn, type VoltageBand } from './tariff-format.js';
import { validateAgentPriceTable } from './validate.js';

/**
 * A month's agent-purchase price table from a spreadsheet (CSV or xlsx already read into a grid of
 * cell texts): one header row, then one row per voltage band × single/two-part column. Headers and
 * values may be the API's words or the Chinese ones of the published tables (电压等级, 两部制, 代理购电价格…).
 * Every problem is reported with its spreadsheet row number (1-based, as Excel shows it) and column
 * letter; nothing is guessed (a value that is not a plain decimal is refused, not rounded).
 */

export type ImportKey = 'voltage' | 'column' | (typeof AGENT_COMPONENTS)[number];

export interface ImportProblem extends FieldError {
  /** Spreadsheet row number (1-based); 0 = the file as a whole. */
  row: number;
  /** Column letter (A, B, …) when the problem is in one cell or column. */
  column?: string;
  /** The table field the column holds. */
  key?: ImportKey;
}

export interface ImportResult {
  table: AgentPriceTable | null;
  problems: ImportProblem[];
  /** Header cells that name no field: left out, listed so a typo is visible. */
  ignoredColumns: string[];
}

const HEADERS: Record<ImportKey, readonly string[]> = {
  voltage: ['voltage', 'voltagelevel', 'band', '电压等级', '电压'],
  column: ['column', 'pricecolumn', 'part', '类别', '电价类别', '计价方式', '用电类别', '单一制/两部制', '单一制两部制'],
  agent: ['agent', 'pagent', 'agentprice', '代理购电价格', '代理购电价', '平均上网电价', '代理购电价格p'],
  lineLoss: ['lineloss', 'line-loss', '线损折价', '上网环节线损费用', '线损费用', '线损'],
  td: ['td', 't&d', 'transmission', '输配电价', '输配电量电价'],
  systemOps: ['systemops', 'systemoperation', '系统运行费', '系统运行费用', '系统运行费折价'],
  funds: ['funds', 'governmentfunds', '政府性基金及附加', '政府性基金'],
};

const VOLTAGES: Record<VoltageBand, readonly string[]> = {
  '<1kV': ['<1kv', '不满1千伏', '不满1kv', '1千伏以下', '<1千伏'],
  '1-10kV': ['1-10kv', '1-10千伏', '1～10千伏', '1~10千伏', '1至10千伏', '10kv', '10千伏'],
  '35kV': ['35kv', '35千伏'],
  '110kV': ['110kv', '110千伏'],
  '220kV+': ['220kv+', '220kv', '220千伏及以上', '220kv及以上', '220千伏'],
};

const COLUMNS: Record<PriceColumn, readonly string[]> = {
  'single-part': ['single-part', 'singlepart', 'single', '单一制', '单一制电价'],
  'two-part': ['two-part', 'twopart', 'two', '两部制', '两部制电价'],
};

/** Lower case, no spaces, no unit in brackets: "代理购电价格（元/千瓦时）" → "代理购电价格". */
function normal(s: string): string {
  return s
    .replace(/[（(][^)）]*[)）]/g, '')
    .replace(/[\s\u3000_]/g, '')
    .replace(/[－—–]/g, '-')
    .toLowerCase();
}

const lookup = <K extends string>(table: Record<K, readonly string[]>) => {
  const map = new Map<string, K>();
  for (const [k, words] of Object.entries(table) as [K, readonly string[]][]) for (const w of words) map.set(normal(w), k);
  return (s: string) => map.get(normal(s));
};
const headerOf = lookup(HEADERS);
const voltageOf = lookup(VOLTAGES);
const columnOf = lookup(COLUMNS);

/** 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const isBlank = (row: readonly string[]) => row.every((c) => c.trim() === '');

/** Reads a grid of cell texts (rows of cells) into the month's table, or lists every problem. */
export function priceTableFromGrid(grid: readonly (readonly string[])[], month: string): ImportResult {
  const problems: ImportProblem[] = [];
  const headerIndex = grid.findIndex((r) => !isBlank(r));
  if (headerIndex < 0) return { table: null, problems: [{ row: 0, field: 'file', message: 'the file has no rows' }], ignoredColumns: [] };

  const header = grid[headerIndex]!;
  const headerRow = headerIndex + 1;
  const at = new Map<ImportKey, number>();
  const ignoredColumns: string[] = [];
  header.forEach((cell, i) => {
    if (cell.trim() === '') return;
    const key = headerOf(cell);
    if (!key) return ignoredColumns.push(cell.trim());
    if (at.has(key)) problems.push({ row: headerRow, column: columnLetter(i), key, field: cellName(headerRow, i, key), message: `a second "${key}" column (first in ${columnLetter(at.get(key)!)})` });
    else at.set(key, i);
  });
  for (const key of Object.keys(HEADERS) as ImportKey[])
    if (!at.has(key)) problems.push({ row: headerRow, key, field: `row ${headerRow}`, message: `no "${key}" column (header one of: ${HEADERS[key].slice(0, 1).concat(HEADERS[key].filter((w) => /[^\x00-\x7f]/.test(w)).slice(0, 1)).join(', ')})` });
  if (problems.length) return { table: null, problems, ignoredColumns };

  // Data rows, remembering where each came from so the validator's rows[i] map back to the file.
  const rows: AgentPriceRow[] = [];
  const origin: number[] = [];
  for (let r = headerIndex + 1; r < grid.length; r++) {
    const cells = grid[r]!;
    if (isBlank(cells)) continue;
    const fileRow = r + 1;
    const cell = (key: ImportKey) => (cells[at.get(key)!] ?? '').trim();
    const voltageText = cell('voltage');
    const columnText = cell('column');
    const voltage = voltageOf(voltageText);
    const column = columnOf(columnText);
    if (!voltage) problems.push(problemAt(fileRow, at, 'voltage', voltageText === '' ? 'is empty' : `"${voltageText}" is not a voltage band (<1kV / 不满1千伏, 1-10kV, 35kV, 110kV, 220kV+)`));
    if (!column) problems.push(problemAt(fileRow, at, 'column', columnText === '' ? 'is empty' : `"${columnText}" is neither single-part (单一制) nor two-part (两部制)`));
    const row = { voltage: voltage ?? voltageText, column: column ?? columnText } as AgentPriceRow;
    // an empty cell is left out, so it reads "is required" rather than "not a decimal"
    for (const key of AGENT_COMPONENTS) if (cell(key) !== '') row[key] = cell(key);
    rows.push(row);
    origin.push(fileRow);
  }
  if (!rows.length) return { table: null, problems: [...problems, { row: headerRow + 1, field: `row ${headerRow + 1}`, message: 'no price rows under the header' }], ignoredColumns };

  const table: AgentPriceTable = { month, rows };
  // Cells already reported (unknown band or column) are not reported twice.
  const seen = new Set(problems.map((p) => p.field));
  for (const e of validateAgentPriceTable(table)) {
    const m = /^rows\[(\d+)\](?:\.(\w+))?$/.exec(e.field);
    if (!m) {
      problems.push({ row: 0, field: e.field, message: e.message });
      continue;
    }
    const fileRow = origin[Number(m[1])]!;
    const key = m[2] as ImportKey | undefined;
    const p = key && at.has(key) ? problemAt(fileRow, at, key, e.message) : { row: fileRow, field: `row ${fileRow}`, message: e.message };
    if (!seen.has(p.field)) problems.push(p);
  }
  problems.sort((a, b) => a.row - b.row || (a.column ?? '').localeCompare(b.column ?? ''));
  return { table: problems.length ? null : table, problems, ignoredColumns };
}

function cellName(row: number, index: number, key: ImportKey): string {
  return `row ${row} column ${columnLetter(index)} (${key})`;
}

function problemAt(row: number, at: Map<ImportKey, number>, key: ImportKey, message: string): ImportProblem {
  const index = at.get(key)!;
  return { row, column: columnLetter(index), key, field: cellName(row, index, key), message };
}

/** The header row written to templates and exports: the API's own words, which the import reads back. */
export const EXPORT_HEADER: readonly ImportKey[] = ['voltage', 'column', 'agent', 'lineLoss', 'td', 'systemOps', 'funds'];
/** Chinese labels for the same columns (a second header row in xlsx exports is not used: one row, read back by alias). */
export const EXPORT_HEADER_ZH: Readonly<Record<ImportKey, string>> = {
  voltage: '电压等级',
  column: '类别',
  agent: '代理购电价格',
  lineLoss: '线损折价',
  td: '输配电价',
  systemOps: '系统运行费',
  funds: '政府性基金及附加',
};

/** The rows of a table as a grid (header + one row per band × column), for CSV and xlsx exports. */
export function gridOfTable(t: AgentPriceTable, labels: 'en' | 'zh' = 'en'): string[][] {
  const head = EXPORT_HEADER.map((k) => (labels === 'zh' ? EXPORT_HEADER_ZH[k] : k));
  return [head, ...t.rows.map((r) => EXPORT_HEADER.map((k) => r[k as keyof AgentPriceRow]))];
}
