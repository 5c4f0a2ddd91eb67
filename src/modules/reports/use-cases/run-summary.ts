import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Executor } from '../../../db/tx.js';
import { forbidden, notFound } from '../../../shared/errors.js';
import { can, type Role, type Scope } from '../../org/index.js';
import { CATEGORY_LABELS, categoryLabel, exceptionLabel, flagsText, periodLabel, runStatusLabel } from '../domain/labels.js';
import { yuanOf } from '../domain/money.js';
import { RunTotals, type Bucket } from '../domain/run-totals.js';
import { drainOrClose, roomInZip } from '../render/xlsx-backpressure.js';
import { accountIdBound, exceptionsByKind, findRun, runAdjustments, runBillWindow, tariffNames, type RunRow } from '../reports.repository.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Account ids per batch: at most this many bills (one regular bill per account and period). */
export const DEFAULT_SUMMARY_BATCH = 5000;

/** Who asks: a signed-in user's role and scope, or the system (CLI) on a company. */
export interface Reader {
  role: Role | 'system';
  scope: Scope;
}

/**
 * A bill run the reader may summarise: runs are the marketing department's console, so the roles that
 * may see bill runs (billing.view) may export them, and a run of another company is not found (404).
 * The permission is checked first, so a role without it gets 403 whatever the id.
 */
export async function runForSummary(db: Executor, reader: Reader, runId: number): Promise<RunRow> {
  if (reader.role !== 'system' && !can(reader.role, 'billing.view')) throw forbidden(`your role (${reader.role}) may not see bill runs`);
  const run = await findRun(db, runId);
  if (!run || run.company_id !== reader.scope.companyId) throw notFound('bill run');
  return run;
}

export interface SummaryOptions {
  now: Date;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SummaryResult {
  bills: number;
  totalFen: number;
}

const MONEY = '#,##0.00';
const KWH = '#,##0.00';
const COUNT = '#,##0';

/** 元 as a spreadsheet number: the exact decimal text of the fen, read as the nearest double (shown with 2 decimals). */
const yuanCell = (fen: number) => Number(yuanOf(fen));

/**
 * The xlsx summary of a bill run, streamed to `out`: sheet 账单 (one row per bill) and sheet 汇总 (period,
 * status, counts, totals by category / station / tariff, exceptions by kind), which the workbook opens on.
 * The bills are read in windows of account ids and each row is written and forgotten, so memory stays
 * flat however large the run; the totals are gathered in the same pass and written after the bills.
 * Between batches it waits for the zip to take the XML written so far (render/xlsx-backpressure.ts) and
 * for `out` to drain. Call it inside one read-only snapshot.
 */
export async function writeRunSummary(db: Executor, scope: Scope, run: RunRow, out: Writable, opts: SummaryOptions): Promise<SummaryResult> {
  const batchSize = opts.batchSize ?? DEFAULT_SUMMARY_BATCH;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Granary (颗粒归仓)';
  workbook.created = opts.now;
  const sheet = workbook.addWorksheet('账单', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: '账单编号', key: 'id', width: 12 },
    { header: '户号', key: 'accountNo', width: 14 },
    { header: '户名', key: 'name', width: 22 },
    { header: '供电所', key: 'station', width: 14 },
    { header: '台区', key: 'area', width: 16 },
    { header: '用电类别', key: 'category', width: 11 },
    { header: '电价', key: 'tariff', width: 28 },
    { header: '电量(kWh)', key: 'kwh', width: 13, style: { numFmt: KWH } },
    { header: '电费(元)', key: 'yuan', width: 14, style: { numFmt: MONEY } },
    { header: '电费(分)', key: 'fen', width: 14, style: { numFmt: '0' } },
    { header: '状态', key: 'status', width: 8 },
    { header: '标记', key: 'flags', width: 16 },
    { header: '交费截止日', key: 'dueOn', width: 12 },
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  sheet.autoFilter = 'A1:M1';

  const totals = new RunTotals();
  const bound = await accountIdBound(db, run);
  for (let lo = 0; lo < bound; lo += batchSize) {
    const rows = await runBillWindow(db, scope, run, lo, Math.min(lo + batchSize, bound));
    for (const b of rows) {
      totals.add({ category: b.category, stationId: b.station_id, stationName: b.station_name, tariffCode: b.tariff_code, kwh: b.kwh, totalFen: b.total_fen, status: b.status, estimated: b.estimated, outlier: b.outlier, rollover: b.rollover });
      sheet
        .addRow([
          b.id,
          b.account_no,
          b.name,
          b.station_name,
          b.area_name,
          categoryLabel(b.category),
          b.tariff_code,
          b.kwh === null ? null : Number(b.kwh),
          yuanCell(b.total_fen),
          b.total_fen,
          b.status === 'issued' ? '已发行' : '草稿',
          flagsText(b),
          b.due_on,
        ])
        .commit();
    }
    opts.onProgress?.(totals.bills, run.bills);
    await roomInZip(sheet, out);
    await drained(out);
  }
  sheet.commit();

  const [exceptions, adjustments, names] = [await exceptionsByKind(db, scope, run.id), await runAdjustments(db, scope, run.id), await tariffNames(db)];
  // added only now: a streamed sheet opens its zip entry when it is added, and the zip takes its entries
  // one at a time — a summary sheet added first would hold every bill row in memory until it was committed
  const summary = workbook.addWorksheet('汇总', { views: [{ showGridLines: false }] });
  writeSummarySheet(summary, { run, scope, totals, exceptions, adjustments, names, now: opts.now });
  summary.commit();
  // the workbook opens on the summary
  workbook.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 1, visibility: 'visible' }];
  await workbook.commit();
  return { bills: totals.bills, totalFen: totals.totalFen };
}

/** Resolves when the destination has room again (backpressure from a slow client or disk); throws once it is closed. */
async function drained(out: Writable): Promise<void> {
  if (!out.destroyed && out.writableNeedDrain) await drainOrClose(out, out);
  if (out.destroyed) throw new Error('the destination of the summary was closed');
}

interface SummaryInput {
  run: RunRow;
  scope: Scope;
  totals: RunTotals;
  exceptions: { kind: string; blocking: boolean; count: number }[];
  adjustments: { count: number; totalFen: number };
  names: Map<string, string>;
  now: Date;
}

function writeSummarySheet(ws: ExcelJS.Worksheet, s: SummaryInput): void {
  const { run, totals } = s;
  ws.columns = [{ width: 26 }, { width: 34 }, { width: 14 }, { width: 16 }, { width: 18 }, { width: 18 }];
  const title = ws.addRow([`${run.company_name} ${periodLabel(run.period)} 电费发行汇总`]);
  title.font = { bold: true, size: 14 };
  ws.addRow([]);
  const whole = s.scope.level === 'company';
  const pairs: [string, string | number | null, string?][] = [
    ['电费年月', run.period],
    ['发行批次', run.id],
    ['状态', `${runStatusLabel(run.status)} (${run.status})`],
    ['范围', whole ? '全公司' : '本人管辖范围'],
    ['应核算户数', run.accounts_total, COUNT],
    ['已核算户数', run.accounts_done, COUNT],
    ['无账单户数(阻断异常)', run.blocking_exceptions, COUNT],
    ['账单数', totals.bills, COUNT],
    ['电量合计(kWh)', Number(totals.totalKwh), KWH],
    ['电费合计(元)', yuanCell(totals.totalFen), MONEY],
    ['电费合计(分)', totals.totalFen, '0'],
    ['已发行账单数', totals.issuedBills, COUNT],
    ['已发行金额(元)', yuanCell(totals.issuedFenTotal), MONEY],
    ['估抄账单数', totals.estimated, COUNT],
    ['电量异常账单数', totals.outliers, COUNT],
    ['示数翻转账单数', totals.rollovers, COUNT],
    ['退补账单数(本批账单)', s.adjustments.count, COUNT],
    ['退补金额(元)', yuanCell(s.adjustments.totalFen), MONEY],
    ['发行日期', run.issue_date],
    ['生成时间', s.now.toISOString()],
  ];
  if (whole) pairs.push(['与批次记录核对', totals.bills === run.bills && totals.totalFen === run.total_fen ? '一致' : `不一致：批次记录 ${run.bills} 张 ${yuanOf(run.total_fen)} 元`]);
  for (const [label, value, numFmt] of pairs) {
    const row = ws.addRow([label, value]);
    row.getCell(1).font = { color: { argb: 'FF555555' } };
    if (numFmt) row.getCell(2).numFmt = numFmt;
    row.getCell(2).alignment = { horizontal: 'left' };
  }

  const bucketTable = (heading: string, first: string, buckets: Bucket[], label: (b: Bucket) => string[]) => {
    ws.addRow([]);
    ws.addRow([heading]).font = { bold: true, size: 12 };
    const head = ws.addRow([first, ...(first === '电价代码' ? ['电价名称'] : []), '账单数', '电量(kWh)', '电费(元)', '电费(分)']);
    head.font = { bold: true };
    const numbers = (bills: number, kwh: number, fen: number) => [bills, kwh, yuanCell(fen), fen];
    const style = (row: ExcelJS.Row, from: number) => {
      row.getCell(from).numFmt = COUNT;
      row.getCell(from + 1).numFmt = KWH;
      row.getCell(from + 2).numFmt = MONEY;
      row.getCell(from + 3).numFmt = '0';
    };
    for (const b of buckets) {
      const labels = label(b);
      style(ws.addRow([...labels, ...numbers(b.bills, Number(b.kwh), b.totalFen)]), labels.length + 1);
    }
    const pad = first === '电价代码' ? ['合计', ''] : ['合计'];
    const sum = ws.addRow([...pad, ...numbers(totals.bills, Number(totals.totalKwh), totals.totalFen)]);
    sum.font = { bold: true };
    style(sum, pad.length + 1);
  };
  const order = Object.keys(CATEGORY_LABELS);
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  const categories = totals.categories().sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
  bucketTable('按用电类别', '用电类别', categories, (b) => [categoryLabel(b.key)]);
  bucketTable('按供电所', '供电所', totals.stations(), (b) => [b.label]);
  bucketTable('按电价', '电价代码', totals.tariffs(), (b) => [b.key, s.names.get(b.key) ?? '']);

  ws.addRow([]);
  ws.addRow(['审核异常(按类型)']).font = { bold: true, size: 12 };
  ws.addRow(['类型', '说明', '是否阻断出账', '数量']).font = { bold: true };
  for (const e of s.exceptions) ws.addRow([e.kind, exceptionLabel(e.kind), e.blocking ? '是(无账单)' : '否(待复核)', e.count]).getCell(4).numFmt = COUNT;
  if (!s.exceptions.length) ws.addRow(['—', '无异常']);
}
