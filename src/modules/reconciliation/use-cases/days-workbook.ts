import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { yuanOf } from '../../../shared/money.js';
import type { DayRow } from '../reconciliation.types.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const CHANNEL_LABELS: Record<string, string> = { wechatpay: '微信支付', alipay: '支付宝', gridapp: '网上国网', bank: '银行代扣' };
const MONEY = '#,##0.00';
/** 元 as a spreadsheet number: the exact decimal text of the fen, read as the nearest double (shown with 2 decimals). */
const yuanCell = (fen: number) => Number(yuanOf(fen));

/**
 * The channel-day report as xlsx, streamed to `out` (exceljs' WorkbookWriter, inline strings): sheet
 * 对账日报 with one row per channel and day and a 合计 row; money in 元 (from integer fen) and the exact
 * fen beside it.
 */
export async function writeDaysWorkbook(rows: readonly DayRow[], out: Writable, opts: { now: Date; from: string; to: string; channel?: string | undefined }): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Granary (颗粒归仓)';
  workbook.created = opts.now;
  const sheet = workbook.addWorksheet('对账日报', { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.columns = [
    { key: 'date', width: 12 },
    { key: 'channel', width: 11 },
    { key: 'statementCount', width: 10 },
    { key: 'statementYuan', width: 15, style: { numFmt: MONEY } },
    { key: 'ledgerCount', width: 10 },
    { key: 'ledgerYuan', width: 15, style: { numFmt: MONEY } },
    { key: 'differenceYuan', width: 13, style: { numFmt: MONEY } },
    { key: 'matched', width: 8 },
    { key: 'channelOnly', width: 9 },
    { key: 'ledgerOnly', width: 9 },
    { key: 'amountMismatch', width: 9 },
    { key: 'unresolved', width: 8 },
    { key: 'statementFen', width: 14, style: { numFmt: '0' } },
    { key: 'ledgerFen', width: 14, style: { numFmt: '0' } },
  ];
  const title = sheet.addRow([`对账日报 ${opts.from} – ${opts.to}${opts.channel ? ` · ${CHANNEL_LABELS[opts.channel] ?? opts.channel}` : ''}`]);
  title.font = { bold: true };
  title.commit();
  const header = sheet.addRow(['日期', '渠道', '对账单笔数', '对账单金额(元)', '账务笔数', '账务金额(元)', '差额(元)', '一致', '渠道单边', '账务单边', '金额不符', '未处理', '对账单金额(分)', '账务金额(分)']);
  header.font = { bold: true };
  header.commit();
  const total = { statementCount: 0, statementFen: 0, ledgerCount: 0, ledgerFen: 0, matched: 0, channelOnly: 0, ledgerOnly: 0, amountMismatch: 0, unresolved: 0 };
  for (const r of rows) {
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
    sheet
      .addRow([r.date, CHANNEL_LABELS[r.channel] ?? r.channel, r.statementCount, yuanCell(r.statementFen), r.ledgerCount, yuanCell(r.ledgerFen), yuanCell(r.ledgerFen - r.statementFen), r.matched, r.channelOnly, r.ledgerOnly, r.amountMismatch, r.unresolved, r.statementFen, r.ledgerFen])
      .commit();
  }
  const sum = sheet.addRow([
    '合计',
    null,
    total.statementCount,
    yuanCell(total.statementFen),
    total.ledgerCount,
    yuanCell(total.ledgerFen),
    yuanCell(total.ledgerFen - total.statementFen),
    total.matched,
    total.channelOnly,
    total.ledgerOnly,
    total.amountMismatch,
    total.unresolved,
    total.statementFen,
    total.ledgerFen,
  ]);
  sum.font = { bold: true };
  sum.commit();
  sheet.commit();
  await workbook.commit();
}
