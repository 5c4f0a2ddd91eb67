import { AppError, type FieldError } from '../../../shared/errors.js';
import { parseYuan } from '../../../shared/money.js';
import { businessDate } from '../../../shared/business-time.js';

/**
 * Channel statements (对账单) → rows to match, pure: a Buffer in (as downloaded — UTF-8 with or without a
 * BOM, or GBK/GB 18030 as Alipay and Excel write them), the successful trades out. Each layout is read by
 * its header names, not by column positions (the channels say the order may change). Any bad row makes
 * the whole file a 422 naming each row (the line number in the file) and column; nothing is written.
 */

export const RECON_CHANNELS = ['wechatpay', 'alipay', 'gridapp', 'bank'] as const;
export type ReconChannel = (typeof RECON_CHANNELS)[number];

export function isReconChannel(v: string): v is ReconChannel {
  return (RECON_CHANNELS as readonly string[]).includes(v);
}

/** One successful trade of a statement. */
export interface StatementRow {
  /** Line of the file (1-based), for messages and the item. */
  line: number;
  channelTxnId: string;
  /** Our payment order's number the channel echoes (online channels). */
  outTradeNo: string | null;
  /** Bank files name the account (户号) instead of an order. */
  accountNo: string | null;
  amountFen: number;
  paidAt: Date;
  /** Asia/Shanghai date of paidAt: the channel-day. */
  businessDate: string;
}

export interface Statement {
  channel: ReconChannel;
  /** Successful trades, in file order. */
  rows: StatementRow[];
  /** Refund rows: counted and summed for the report, matched later (not in this issue). */
  refunds: { count: number; fen: number };
  /** Other rows that moved no money (closed / revoked trades, failed debits). */
  skipped: number;
}

const MAX_PROBLEMS = 50;
const TXN_ID = /^[\x21-\x7e]{1,128}$/;

class Problems {
  readonly list: FieldError[] = [];
  add(line: number, column: string, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ field: `row ${line}, ${column}`, message });
  }
  throwIfAny(channel: string): void {
    if (!this.list.length) return;
    const head = this.list.slice(0, 3).map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new AppError('VALIDATION', `the ${channel} statement has ${this.list.length}${this.list.length === MAX_PROBLEMS ? '+' : ''} problem(s): ${head}${this.list.length > 3 ? '; …' : ''}`, {
      errors: this.list,
    });
  }
}

function fileProblem(message: string): AppError {
  return new AppError('VALIDATION', `file: ${message}`, { errors: [{ field: 'file', message }] });
}

/** UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, otherwise GB 18030 (a superset of GBK). */
export function decodeStatement(body: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    text = new TextDecoder('gb18030').decode(body);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A record of the file with the line it starts on. */
interface Rec {
  line: number;
  cells: string[];
}

/**
 * CSV records (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; a quote inside an
 * unquoted field is kept as it is) with the line each starts on. Blank lines and lines starting with `#`
 * (Alipay's notes) are left out. Hand-written: csv-parse took 3.5 s for a 100,000-row statement, this 0.2 s.
 */
function recordsOf(text: string): Rec[] {
  const lines = text.split(/\r?\n/);
  const out: Rec[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    let split = splitFields(line);
    while (split.open && i + 1 < lines.length) {
      line += `\n${lines[++i]!}`;
      split = splitFields(line);
    }
    if (split.open) throw fileProblem(`line ${start}: a quoted field is never closed`);
    out.push({ line: start, cells: split.cells.map((c) => c.trim()) });
  }
  return out;
}

function splitFields(line: string): { cells: string[]; open: boolean } {
  if (!line.includes('"')) return { cells: line.split(','), open: false };
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quoted) {
      if (c !== '"') cur += c;
      else if (line[k + 1] === '"') {
        cur += '"';
        k++;
      } else quoted = false;
    } else if (c === ',') {
      cells.push(cur);
      cur = '';
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return { cells, open: quoted };
}

/** Header names compared without spaces and with full-width parentheses as ASCII ones. */
const norm = (s: string) => s.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')');

interface Columns {
  get(rec: Rec, name: string): string;
  has(name: string): boolean;
}

function columnsOf(header: string[], required: readonly string[], line: number): Columns {
  const index = new Map(header.map((h, i) => [norm(h), i] as const));
  const missing = required.filter((r) => !index.has(norm(r)));
  if (missing.length) throw new AppError('VALIDATION', `file: the header on line ${line} lacks ${missing.join(', ')}`, { errors: missing.map((m) => ({ field: `header, ${m}`, message: 'column missing' })) });
  return {
    has: (name) => index.has(norm(name)),
    get: (rec, name) => {
      const i = index.get(norm(name));
      return i === undefined ? '' : (rec.cells[i] ?? '');
    },
  };
}

/** "2026-10-05 14:03:22" (or with slashes) in Beijing time → the instant. */
function beijingTime(text: string): Date | null {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const iso = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${h!.padStart(2, '0')}:${mi}:${s}+08:00`;
  const at = new Date(iso);
  // refuse 2026-02-30 and the like: the instant must give back the same wall-clock date
  if (Number.isNaN(at.getTime()) || businessDate(at) !== iso.slice(0, 10)) return null;
  return at;
}

/** "2026-10-05" or "20261005" → the date, checked. */
function calendarDate(text: string): string | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso ? null : iso;
}

function yuan(problems: Problems, line: number, column: string, text: string): number | null {
  try {
    const fen = parseYuan(text);
    if (fen <= 0) {
      problems.add(line, column, 'must be more than 0');
      return null;
    }
    return fen;
  } catch {
    problems.add(line, column, `not an amount in 元 with at most two decimals: ${JSON.stringify(text)}`);
    return null;
  }
}

function txnId(problems: Problems, line: number, column: string, text: string): string | null {
  if (!TXN_ID.test(text)) {
    problems.add(line, column, text ? 'not a transaction id (1–128 printable ASCII characters)' : 'is empty');
    return null;
  }
  return text;
}

function time(problems: Problems, line: number, column: string, text: string): Date | null {
  const at = beijingTime(text);
  if (!at) problems.add(line, column, `not a time as YYYY-MM-DD hh:mm:ss: ${JSON.stringify(text)}`);
  return at;
}

/** A transaction id twice among one file's successful trades is a broken file, not two payments. */
function refuseDuplicates(rows: StatementRow[], problems: Problems, column: string): void {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const first = seen.get(r.channelTxnId);
    if (first !== undefined) problems.add(r.line, column, `${r.channelTxnId} is already on line ${first}`);
    else seen.set(r.channelTxnId, r.line);
  }
}

// ---- WeChat Pay trade bill (交易账单) ----------------------------------------------------------------

export const WECHATPAY_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
export const WECHATPAY_SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/**
 * The trade bill as downloaded (bill_type ALL or SUCCESS): a header row, detail rows whose every value is
 * prefixed with a backtick (so Excel keeps long numbers), then the summary header (总交易单数 …) and its
 * values. 交易状态 SUCCESS rows are payments: 微信订单号 (transaction_id) is the channel's id, 商户订单号 our
 * out_trade_no, the amount 订单金额 (what the customer was charged — a coupon paid by the merchant is
 * still our customer's payment; files without 订单金额 give 应结订单金额). REFUND rows repeat the original
 * 微信订单号 and are counted as refunds (退款金额); REVOKED and others are skipped. The summary's 总交易单数
 * must equal the number of detail rows (a cut-off download is refused).
 */
export function parseWechatpayBill(body: Uint8Array): Statement {
  const records = recordsOf(decodeStatement(body)).map((r) => ({ line: r.line, cells: r.cells.map((c) => (c.startsWith('`') ? c.slice(1).trim() : c)) }));
  const headerAt = records.findIndex((r) => r.cells.includes('交易时间') && r.cells.includes('微信订单号'));
  if (headerAt < 0) throw fileProblem('no WeChat Pay trade bill header (交易时间,公众账号ID,…,微信订单号,商户订单号,…) found');
  const cols = columnsOf(records[headerAt]!.cells, ['交易时间', '微信订单号', '商户订单号', '交易状态', '应结订单金额'], records[headerAt]!.line);
  const amountColumn = cols.has('订单金额') ? '订单金额' : '应结订单金额';
  const problems = new Problems();
  const rows: StatementRow[] = [];
  const refunds = { count: 0, fen: 0 };
  let skipped = 0;
  let details = 0;
  let summary: Rec | null = null;
  let summaryCount = 0;
  for (let i = headerAt + 1; i < records.length; i++) {
    const rec = records[i]!;
    const countAt = rec.cells.indexOf('总交易单数');
    if (countAt >= 0) {
      summary = records[i + 1] ?? null;
      summaryCount = countAt;
      if (summary && records.length > i + 2) problems.add(records[i + 2]!.line, 'file', 'rows after the summary');
      break;
    }
    details++;
    const status = cols.get(rec, '交易状态');
    if (status === 'SUCCESS') {
      const id = txnId(problems, rec.line, '微信订单号', cols.get(rec, '微信订单号'));
      const out = txnId(problems, rec.line, '商户订单号', cols.get(rec, '商户订单号'));
      const at = time(problems, rec.line, '交易时间', cols.get(rec, '交易时间'));
      const fen = yuan(problems, rec.line, amountColumn, cols.get(rec, amountColumn));
      if (id && out && at && fen !== null) rows.push({ line: rec.line, channelTxnId: id, outTradeNo: out, accountNo: null, amountFen: fen, paidAt: at, businessDate: businessDate(at) });
    } else if (status === 'REFUND') {
      const fen = yuan(problems, rec.line, '退款金额', cols.get(rec, '退款金额'));
      refunds.count++;
      refunds.fen += fen ?? 0;
    } else if (/^[A-Z_]+$/.test(status)) {
      skipped++;
    } else {
      problems.add(rec.line, '交易状态', `not a trade status (SUCCESS, REFUND, REVOKED …): ${JSON.stringify(status)}`);
    }
  }
  if (!summary) problems.add((records.at(-1)?.line ?? 0) + 1, 'file', 'the summary (总交易单数,应结订单总金额,…) is missing: the file is incomplete');
  else {
    const declared = summary.cells[summaryCount] ?? '';
    if (!/^\d+$/.test(declared) || Number(declared) !== details) problems.add(summary.line, '总交易单数', `says ${JSON.stringify(declared)}, the file has ${details} detail rows`);
  }
  refuseDuplicates(rows, problems, '微信订单号');
  problems.throwIfAny('WeChat Pay');
  return { channel: 'wechatpay', rows, refunds, skipped };
}

// ---- Alipay (支付宝业务明细) -------------------------------------------------------------------------

export const ALIPAY_HEADER =
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注';

/**
 * Alipay's 业务明细 from the bill download (bill_type trade): `#` lines before and after (account, dates,
 * totals) are notes; then the header and one row per trade. 业务类型 交易 is a payment: 支付宝交易号
 * (trade_no) the channel's id, 商户订单号 our out_trade_no, 完成时间 the time paid, 订单金额（元） the amount
 * (what the notification's total_amount says). 退款 rows are counted as refunds (their amounts are
 * negative in the file). Values may carry padding tabs; they are trimmed.
 */
export function parseAlipayStatement(body: Uint8Array): Statement {
  const records = recordsOf(decodeStatement(body));
  const headerAt = records.findIndex((r) => r.cells.includes('支付宝交易号') && r.cells.includes('业务类型'));
  if (headerAt < 0) throw fileProblem('no Alipay statement header (支付宝交易号,商户订单号,业务类型,…) found');
  const cols = columnsOf(records[headerAt]!.cells, ['支付宝交易号', '商户订单号', '业务类型', '完成时间', '订单金额（元）'], records[headerAt]!.line);
  const problems = new Problems();
  const rows: StatementRow[] = [];
  const refunds = { count: 0, fen: 0 };
  let skipped = 0;
  for (const rec of records.slice(headerAt + 1)) {
    const kind = cols.get(rec, '业务类型');
    if (kind === '交易') {
      const id = txnId(problems, rec.line, '支付宝交易号', cols.get(rec, '支付宝交易号'));
      const out = txnId(problems, rec.line, '商户订单号', cols.get(rec, '商户订单号'));
      const at = time(problems, rec.line, '完成时间', cols.get(rec, '完成时间'));
      const fen = yuan(problems, rec.line, '订单金额（元）', cols.get(rec, '订单金额（元）'));
      if (id && out && at && fen !== null) rows.push({ line: rec.line, channelTxnId: id, outTradeNo: out, accountNo: null, amountFen: fen, paidAt: at, businessDate: businessDate(at) });
    } else if (kind === '退款') {
      const fen = yuan(problems, rec.line, '订单金额（元）', cols.get(rec, '订单金额（元）').replace(/^-/, ''));
      refunds.count++;
      refunds.fen += fen ?? 0;
    } else if (kind) {
      skipped++;
    } else {
      problems.add(rec.line, '业务类型', 'is empty');
    }
  }
  refuseDuplicates(rows, problems, '支付宝交易号');
  problems.throwIfAny('Alipay');
  return { channel: 'alipay', rows, refunds, skipped };
}

// ---- bank debit statement ----------------------------------------------------------------------

/** Each column of a bank statement and the header names it goes by (ours, the debit result file's, Chinese exports'). */
const BANK_COLUMNS = {
  date: ['交易日期', 'date', 'debit_date', '扣款日期'],
  txn: ['交易流水号', 'bank_txn_id', '银行流水号', '流水号'],
  account: ['户号', 'account_no', '用户编号'],
  amount: ['金额', 'amount', '扣款金额'],
  status: ['状态', 'status', '扣款状态'],
} as const;
const BANK_OK = new Set(['成功', 'success', 's', '00']);
const BANK_FAILED = new Set(['失败', 'failed', 'f']);

/**
 * A bank's statement of debits (代扣): header `交易日期,交易流水号,户号,金额,状态` or
 * `date,bank_txn_id,account_no,amount,status` — and the debit result file's own layout
 * (`bank_txn_id,account_no,amount,debit_date,status,bank_message`, see src/modules/bankfiles) is read
 * as it is; columns in any order, others ignored. The date YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD; the
 * amount in 元; the status 成功/success/S or 失败/failed/F. A successful line is a payment of 户号 with
 * the bank's 交易流水号 (the import puts the bank's code in front, as bank debit payments are keyed);
 * failed lines moved no money and are skipped. The bank gives no time: the payment counts at noon of
 * its date (Asia/Shanghai), which puts it on that business date.
 */
export function parseBankStatement(body: Uint8Array): Statement {
  const records = recordsOf(decodeStatement(body));
  const header = records[0];
  if (!header) throw fileProblem('the file is empty');
  const cells = header.cells.map((c) => norm(c).toLowerCase());
  const chosen = {} as Record<keyof typeof BANK_COLUMNS, string>;
  for (const [key, names] of Object.entries(BANK_COLUMNS) as [keyof typeof BANK_COLUMNS, readonly string[]][]) chosen[key] = names.find((n) => cells.includes(n)) ?? names[0]!;
  const cols = columnsOf(cells, Object.values(chosen), header.line);
  const name = (k: keyof typeof BANK_COLUMNS) => chosen[k];
  const problems = new Problems();
  const rows: StatementRow[] = [];
  let skipped = 0;
  for (const rec of records.slice(1)) {
    const status = cols.get(rec, name('status')).toLowerCase();
    if (BANK_FAILED.has(status)) {
      skipped++;
      continue;
    }
    if (!BANK_OK.has(status)) {
      problems.add(rec.line, name('status'), `not 成功/success/S or 失败/failed/F: ${JSON.stringify(status)}`);
      continue;
    }
    const date = calendarDate(cols.get(rec, name('date')).replace(/\//g, '-'));
    if (!date) problems.add(rec.line, name('date'), 'not a date as YYYY-MM-DD');
    const id = txnId(problems, rec.line, name('txn'), cols.get(rec, name('txn')));
    const accountNo = cols.get(rec, name('account'));
    if (!/^[0-9A-Za-z-]{1,40}$/.test(accountNo)) problems.add(rec.line, name('account'), accountNo ? 'not an account number' : 'is empty');
    const fen = yuan(problems, rec.line, name('amount'), cols.get(rec, name('amount')));
    if (date && id && fen !== null && accountNo) {
      const at = new Date(`${date}T12:00:00+08:00`);
      rows.push({ line: rec.line, channelTxnId: id, outTradeNo: null, accountNo, amountFen: fen, paidAt: at, businessDate: date });
    }
  }
  refuseDuplicates(rows, problems, name('txn'));
  problems.throwIfAny('bank');
  return { channel: 'bank', rows, refunds: { count: 0, fen: 0 }, skipped };
}

// ---- grid app (网上国网) -----------------------------------------------------------------------------

/**
 * The grid app's daily statement in our documented protocol: CSV `txnId,outTradeNo,amountFen,paidAt,status`,
 * amountFen a whole number of fen, paidAt ISO 8601 with its offset (2026-10-05T14:03:22+08:00), status
 * SUCCESS (a payment), REFUND (counted as a refund) or CLOSED (skipped).
 */
export function parseGridappStatement(body: Uint8Array): Statement {
  const records = recordsOf(decodeStatement(body));
  const header = records[0];
  if (!header) throw fileProblem('the file is empty');
  const cols = columnsOf(header.cells, ['txnId', 'outTradeNo', 'amountFen', 'paidAt', 'status'], header.line);
  const problems = new Problems();
  const rows: StatementRow[] = [];
  const refunds = { count: 0, fen: 0 };
  let skipped = 0;
  for (const rec of records.slice(1)) {
    const status = cols.get(rec, 'status');
    const amount = cols.get(rec, 'amountFen');
    const fen = /^[1-9][0-9]{0,14}$/.test(amount) && Number.isSafeInteger(Number(amount)) ? Number(amount) : null;
    if (fen === null) problems.add(rec.line, 'amountFen', `not a whole number of fen above 0: ${JSON.stringify(amount)}`);
    if (status === 'SUCCESS') {
      const id = txnId(problems, rec.line, 'txnId', cols.get(rec, 'txnId'));
      const out = txnId(problems, rec.line, 'outTradeNo', cols.get(rec, 'outTradeNo'));
      const text = cols.get(rec, 'paidAt');
      const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? new Date(text) : null;
      if (!at || Number.isNaN(at.getTime())) problems.add(rec.line, 'paidAt', `not an ISO 8601 time with offset: ${JSON.stringify(text)}`);
      else if (id && out && fen !== null) rows.push({ line: rec.line, channelTxnId: id, outTradeNo: out, accountNo: null, amountFen: fen, paidAt: at, businessDate: businessDate(at) });
    } else if (status === 'REFUND') {
      refunds.count++;
      refunds.fen += fen ?? 0;
    } else if (status === 'CLOSED') {
      skipped++;
    } else {
      problems.add(rec.line, 'status', `not SUCCESS, REFUND or CLOSED: ${JSON.stringify(status)}`);
    }
  }
  refuseDuplicates(rows, problems, 'txnId');
  problems.throwIfAny('grid app');
  return { channel: 'gridapp', rows, refunds, skipped };
}

const PARSERS: Record<ReconChannel, (body: Uint8Array) => Statement> = {
  wechatpay: parseWechatpayBill,
  alipay: parseAlipayStatement,
  bank: parseBankStatement,
  gridapp: parseGridappStatement,
};

/** The statement of a channel from its file. */
export function parseStatement(channel: ReconChannel, body: Uint8Array): Statement {
  if (!body.length) throw fileProblem('the upload is empty');
  return PARSERS[channel](body);
}
