import PDFDocument from 'pdfkit';
import type { BillDocument } from '../domain/bill-document.js';
import { cjkFonts } from './fonts.js';

/**
 * Lays a printed bill (domain/bill-document.ts) out on A4 with pdfkit: header, account and bill blocks,
 * meter reads, usage, charge lines, total, notes, and the payment footer. Every text comes from the
 * document; this file only decides where it goes.
 */

const PAGE = { width: 595.28, height: 841.89, margin: 40 } as const;
const WIDTH = PAGE.width - 2 * PAGE.margin;
const FOOTER_HEIGHT = 70;
const INK = '#1f1f1f';
const MUTED = '#6b6b6b';
const RULE = '#c8c8c8';
const ACCENT = '#0b6e4f';
const SHADE = '#eef4f1';

type Doc = PDFKit.PDFDocument;

interface Column {
  width: number;
  align: 'left' | 'right' | 'center';
}

export async function renderBillPdf(d: BillDocument, meta: { now: Date; accountNo: string; billId: number }): Promise<Buffer> {
  const fonts = cjkFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
    info: { Title: `${d.companyName} ${d.title} ${meta.accountNo}`, Author: d.companyName, Subject: `${d.title} #${meta.billId}`, Creator: 'Granary (颗粒归仓)', CreationDate: meta.now },
    bufferPages: true,
  });
  doc.registerFont('R', fonts.regular);
  doc.registerFont('B', fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  header(doc, d);
  pairsBlock(doc, d.account, d.bill);
  section(doc, '抄表信息');
  if (d.reads.rows.length) table(doc, d.reads.header, d.reads.rows, cols([0.2, 0.12, 0.15, 0.16, 0.12, 0.09, 0.16], ['left', 'left', 'right', 'right', 'right', 'right', 'right']));
  else note(doc, '本账单无抄表示数(退补或手工账单)。');
  if (d.usage.length) usageLine(doc, d.usage);
  section(doc, '电费明细');
  const lineCols = cols([0.22, 0.2, 0.22, 0.14, 0.22], ['left', 'right', 'right', 'right', 'right']);
  table(doc, d.lines.header, d.lines.rows, lineCols);
  for (const r of d.lines.subtotals) row(doc, r, lineCols, { font: 'R', size: 9, color: MUTED });
  total(doc, d);
  if (d.arrears) arrears(doc, d.arrears);
  if (d.notes.length) {
    section(doc, '备注');
    for (const n of d.notes) note(doc, n);
  }
  footers(doc, d);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

function cols(fractions: number[], aligns: Column['align'][]): Column[] {
  return fractions.map((f, i) => ({ width: WIDTH * f, align: aligns[i]! }));
}

/** Starts a new page when `height` more points would run into the footer. */
function room(doc: Doc, height: number): void {
  if (doc.y + height > PAGE.height - PAGE.margin - FOOTER_HEIGHT) {
    doc.addPage();
    doc.y = PAGE.margin;
  }
}

function header(doc: Doc, d: BillDocument): void {
  doc.font('B').fontSize(15).fillColor(ACCENT).text(d.companyName, PAGE.margin, PAGE.margin, { width: WIDTH, align: 'center' });
  doc.moveDown(0.2);
  doc.font('B').fontSize(22).fillColor(INK).text(d.title, { width: WIDTH, align: 'center' });
  doc.moveDown(0.4);
  const y = doc.y;
  doc.moveTo(PAGE.margin, y).lineTo(PAGE.margin + WIDTH, y).lineWidth(1.5).strokeColor(ACCENT).stroke();
  doc.y = y + 10;
}

/** Two columns of label/value pairs: the account on the left, the bill on the right. */
function pairsBlock(doc: Doc, left: [string, string][], right: [string, string][]): void {
  const top = doc.y;
  const half = WIDTH / 2;
  const labelWidth = 62;
  const column = (pairs: [string, string][], x: number) => {
    let y = top;
    for (const [label, value] of pairs) {
      doc.font('R').fontSize(9.5).fillColor(MUTED).text(label, x, y, { width: labelWidth });
      doc.font('R').fontSize(10).fillColor(INK).text(value, x + labelWidth, y, { width: half - labelWidth - 10 });
      y = Math.max(doc.y, y + 15) + 3;
    }
    return y;
  };
  const bottom = Math.max(column(left, PAGE.margin), column(right, PAGE.margin + half));
  doc.y = bottom + 4;
  doc.x = PAGE.margin;
}

function section(doc: Doc, title: string): void {
  room(doc, 48);
  doc.moveDown(0.5);
  const y = doc.y;
  doc.rect(PAGE.margin, y + 2, 3, 12).fill(ACCENT);
  doc.font('B').fontSize(11).fillColor(INK).text(title, PAGE.margin + 9, y, { width: WIDTH - 9 });
  doc.y = y + 19;
  doc.x = PAGE.margin;
}

const PADDING = 5;

function rowHeight(doc: Doc, cells: string[], columns: Column[], font: 'R' | 'B', size: number): number {
  doc.font(font).fontSize(size);
  return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: columns[i]!.width - 2 * PADDING }))) + 2 * PADDING - 2;
}

function row(doc: Doc, cells: string[], columns: Column[], opts: { font: 'R' | 'B'; size: number; color: string; shade?: string }): void {
  const padding = PADDING;
  const height = rowHeight(doc, cells, columns, opts.font, opts.size);
  room(doc, height);
  const y = doc.y;
  if (opts.shade) doc.rect(PAGE.margin, y, WIDTH, height).fill(opts.shade);
  let x = PAGE.margin;
  cells.forEach((c, i) => {
    const col = columns[i]!;
    doc.font(opts.font).fontSize(opts.size).fillColor(opts.color).text(c, x + padding, y + padding - 1, { width: col.width - 2 * padding, align: col.align });
    x += col.width;
  });
  doc.moveTo(PAGE.margin, y + height).lineTo(PAGE.margin + WIDTH, y + height).lineWidth(0.5).strokeColor(RULE).stroke();
  doc.y = y + height;
  doc.x = PAGE.margin;
}

/** A table whose header row is repeated at the top of each page it continues on. */
function table(doc: Doc, head: string[], rows: string[][], columns: Column[]): void {
  const header = () => row(doc, head, columns, { font: 'B', size: 9.5, color: INK, shade: SHADE });
  header();
  for (const r of rows) {
    const page = doc.page;
    room(doc, rowHeight(doc, r, columns, 'R', 9.5));
    if (doc.page !== page) header();
    row(doc, r, columns, { font: 'R', size: 9.5, color: INK });
  }
}

function usageLine(doc: Doc, usage: [string, string][]): void {
  room(doc, 20);
  doc.moveDown(0.4);
  doc.font('R').fontSize(9.5).fillColor(INK).text(usage.map(([l, v]) => `${l} ${v}`).join('    '), PAGE.margin, doc.y, { width: WIDTH });
}

function total(doc: Doc, d: BillDocument): void {
  amountBox(doc, '本期电费合计', d.totalYuan, d.totalInCapitals);
}

/** A framed amount: label, ¥ figure, and the amount in capitals under the label. */
function amountBox(doc: Doc, label: string, yuan: string, capitals: string, aside?: string): void {
  room(doc, 56);
  const y = doc.y + 6;
  const height = 44;
  doc.rect(PAGE.margin, y, WIDTH, height).lineWidth(1).strokeColor(ACCENT).stroke();
  doc.font('B').fontSize(12).fillColor(INK).text(label, PAGE.margin + 10, y + 8, { width: WIDTH / 2 });
  doc.font('R').fontSize(9.5).fillColor(MUTED).text(`人民币(大写)：${capitals}`, PAGE.margin + 10, y + 26, { width: WIDTH / 2 + 40 });
  doc.font('B').fontSize(18).fillColor(ACCENT).text(`¥ ${yuan} 元`, PAGE.margin + WIDTH / 2, y + (aside ? 6 : 12), { width: WIDTH / 2 - 12, align: 'right' });
  if (aside) doc.font('R').fontSize(9).fillColor(MUTED).text(aside, PAGE.margin + WIDTH / 2, y + 28, { width: WIDTH / 2 - 12, align: 'right' });
  doc.y = y + height + 4;
  doc.x = PAGE.margin;
}

/** 欠费情况: every open bill with its penalty to the print date, the total owed (in capitals) and the prepaid balance. */
function arrears(doc: Doc, a: NonNullable<BillDocument['arrears']>): void {
  section(doc, a.title);
  if (a.rows.length) table(doc, a.header, a.rows, cols([0.19, 0.11, 0.17, 0.15, 0.1, 0.13, 0.15], ['left', 'right', 'left', 'right', 'right', 'right', 'right']));
  amountBox(doc, '合计应交(含往期欠费及违约金)', a.totalOwedYuan, a.totalOwedInCapitals, `预收余额 ¥ ${a.prepaidYuan} 元`);
  for (const n of a.notes) note(doc, n);
}

function note(doc: Doc, text: string): void {
  room(doc, 16);
  doc.font('R').fontSize(9.5).fillColor(INK).text(`· ${text}`, PAGE.margin + 4, doc.y + 2, { width: WIDTH - 4 });
  doc.x = PAGE.margin;
}

/** The footer on every page (drawn last, over the buffered pages): payment channels, hotline, page number. */
function footers(doc: Doc, d: BillDocument): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // drawing below the bottom margin must not start a new page
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const top = PAGE.height - PAGE.margin - FOOTER_HEIGHT + 8;
    doc.moveTo(PAGE.margin, top).lineTo(PAGE.margin + WIDTH, top).lineWidth(0.5).strokeColor(RULE).stroke();
    let y = top + 6;
    for (const line of d.footer) {
      doc.font('R').fontSize(8.5).fillColor(MUTED).text(line, PAGE.margin, y, { width: WIDTH });
      y = doc.y + 2;
    }
    doc.font('R').fontSize(8).fillColor(MUTED).text(`第 ${i - range.start + 1} / ${range.count} 页`, PAGE.margin, PAGE.height - PAGE.margin - 4, { width: WIDTH, align: 'right' });
    doc.page.margins.bottom = bottomMargin;
  }
}
