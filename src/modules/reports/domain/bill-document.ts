import { multiplyDecimal, subtractDecimal } from '../../../shared/decimal.js';
import { presentBillLines } from '../../tariffs/index.js';
import { billStatusLabel, dateLabel, categoryLabel, KIND_LABELS, lineLabel, periodLabel, unitPriceText } from './labels.js';
import { yuanInCapitals, yuanOf } from './money.js';

/**
 * A bill as a printed notice (电费通知单), before any drawing: every text the PDF shows, computed from the
 * rows. Pure, so what a customer reads is unit-tested without a PDF in the way; the renderer only lays it out.
 */

export interface BillForDocument {
  id: number;
  period: string;
  kind: string;
  status: string;
  tariffCode: string;
  tariffName: string | null;
  totalFen: number;
  kwh: string | null;
  peakKwh: string | null;
  flatKwh: string | null;
  valleyKwh: string | null;
  kvarh: string | null;
  maxDemandKw: string | null;
  days: number | null;
  estimated: boolean;
  outlier: boolean;
  rollover: boolean;
  /** Business date (Asia/Shanghai) the bill was issued on; null for a draft. */
  issuedOn: string | null;
  dueOn: string | null;
  adjustsBillId: number | null;
  reason: string | null;
}

export interface AccountForDocument {
  companyName: string;
  accountNo: string;
  name: string;
  address: string | null;
  stationName: string;
  areaName: string;
  category: string;
  voltageLevel: string;
  managerName: string | null;
  managerPhone: string | null;
}

export interface LineForDocument {
  code: string;
  quantity: string;
  unitPrice: string;
  amountFen: number;
  /** The engine's breakdown; its `proration` is the part-month factor printed beside the line. */
  detail?: Readonly<Record<string, unknown>> | null;
}

/** One meter's two cycle reads (previous and this period's) per register, after nothing: raw register values. */
export interface MeterReadsForDocument {
  meterNo: string;
  multiplier: string;
  registers: readonly string[];
  previous: RegisterValues | null;
  current: (RegisterValues & { estimated: boolean }) | null;
}

export interface RegisterValues {
  readOn: string;
  total: string;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
  maxDemand: string | null;
}

/** Where an issued bill stands on a day (the account statement's entry for it); `open` null: paid in full. */
export interface BillStanding {
  asOf: string;
  open: { principalOpenFen: number; penaltyFen: number; overdueDays: number } | null;
  /** The whole account that day (the statement): every open bill oldest first, this one included, and the prepaid balance. */
  account?: {
    openBills: readonly { billId: number; period: string; dueOn: string; principalOpenFen: number; penaltyFen: number; overdueDays: number }[];
    arrearsFen: number;
    penaltyFen: number;
    toPayFen: number;
    prepaidFen: number;
  };
}

/** 欠费情况: this bill and the earlier unpaid ones with their penalties to the print date, the total owed, the prepaid balance. */
export interface ArrearsSection {
  title: string;
  header: string[];
  rows: string[][];
  totalOwedYuan: string;
  totalOwedInCapitals: string;
  prepaidYuan: string;
  notes: string[];
}

export interface AdjustmentForDocument {
  id: number;
  totalFen: number;
  issuedOn: string | null;
  reason: string | null;
}

export interface BillDocument {
  title: string;
  companyName: string;
  /** Label and value pairs of the header block, in reading order. */
  account: [string, string][];
  bill: [string, string][];
  reads: { header: string[]; rows: string[][] };
  usage: [string, string][];
  /** One row per line, then a subtotal per kind of charge and the average price per kWh. */
  lines: { header: string[]; rows: string[][]; subtotals: string[][] };
  totalYuan: string;
  totalInCapitals: string;
  /** Remarks printed under the total: estimated reads, adjustments of this bill, the reason of a correction. */
  notes: string[];
  /** For an issued regular bill printed with the account's standing; null otherwise. */
  arrears: ArrearsSection | null;
  footer: string[];
}

export const PAYMENT_CHANNELS = ['营业厅柜台(坐收)', '银行代扣', '微信支付', '支付宝', '网上国网 App'] as const;

const REGISTER_LABELS: [keyof RegisterValues, string][] = [
  ['total', '有功总'],
  ['peak', '有功峰'],
  ['flat', '有功平'],
  ['valley', '有功谷'],
  ['reactive', '无功总'],
  ['maxDemand', '最大需量'],
];

const REGISTER_OF: Record<string, keyof RegisterValues> = { total: 'total', peak: 'peak', flat: 'flat', valley: 'valley', reactive: 'reactive', max_demand: 'maxDemand' };

/** The meter-read table: one row per meter and register the meter has (previous, current, advance, multiplier, measured). */
function readRows(meters: readonly MeterReadsForDocument[]): string[][] {
  const rows: string[][] = [];
  for (const m of meters) {
    const kept = new Set(m.registers.map((r) => REGISTER_OF[r]).filter(Boolean));
    for (const [key, label] of REGISTER_LABELS) {
      if (!kept.has(key)) continue;
      const prev = m.previous?.[key] ?? null;
      const cur = m.current?.[key] ?? null;
      // max demand is a reading of the month, not a register that advances
      let advance = key === 'maxDemand' || prev === null || cur === null ? '' : subtractDecimal(cur, prev);
      // the register passed its maximum: the bill says so in its notes, and its usage is the bill's
      if (advance.startsWith('-')) advance = '翻转';
      // what the register measured: the advance (or for max demand the reading) times the multiplier
      const measured = key === 'maxDemand' ? cur : advance && advance !== '翻转' ? advance : null;
      const amount = measured === null ? '' : multiplyDecimal(measured, m.multiplier, 2);
      const estimated = m.current?.estimated && key !== 'maxDemand' ? ' (估)' : '';
      rows.push([m.meterNo, label, prev ?? '—', cur === null ? '—' : `${cur}${estimated}`, advance, m.multiplier, amount]);
    }
  }
  return rows;
}

function usagePairs(b: BillForDocument): [string, string][] {
  const pairs: [string, string][] = [];
  const add = (label: string, value: string | number | null, unit: string) => {
    if (value !== null && value !== '') pairs.push([label, `${value} ${unit}`]);
  };
  add('有功电量', b.kwh, 'kWh');
  add('峰段电量', b.peakKwh, 'kWh');
  add('平段电量', b.flatKwh, 'kWh');
  add('谷段电量', b.valleyKwh, 'kWh');
  add('无功电量', b.kvarh, 'kvarh');
  add('最大需量', b.maxDemandKw, 'kW');
  add('计费天数', b.days, '天');
  return pairs;
}

export function billDocument(input: {
  bill: BillForDocument;
  account: AccountForDocument;
  lines: readonly LineForDocument[];
  meters: readonly MeterReadsForDocument[];
  adjustments: readonly AdjustmentForDocument[];
  standing?: BillStanding | null;
}): BillDocument {
  const { bill: b, account: a } = input;
  const issued = b.status === 'issued';
  const notes: string[] = [];
  if (b.kind === 'adjustment') notes.push(`本单为第 ${b.adjustsBillId} 号账单的退补(更正)账单${b.reason ? `，原因：${b.reason}` : ''}。金额为负表示退还。`);
  if (b.estimated) notes.push('本期部分电量为估抄，待实抄后多退少补。');
  if (b.rollover) notes.push('本期电能表示数已满量程翻转，电量按翻转后计算。');
  for (const adj of input.adjustments) {
    notes.push(`本账单已于${dateLabel(adj.issuedOn) || '—'}退补 ${yuanOf(adj.totalFen, { grouped: true })} 元(退补单号 ${adj.id}${adj.reason ? `，${adj.reason}` : ''})。`);
  }
  if (!issued) notes.push('本账单尚未发行，仅供核对，不作交费依据。');
  if (issued && input.standing) notes.push(standingNote(input.standing));

  const footer = [
    `交费渠道：${PAYMENT_CHANNELS.join('、')}。交费时请报户号 ${a.accountNo}。`,
    issued && b.totalFen > 0 ? `请于 ${dateLabel(b.dueOn)} 前交清电费；逾期未交将按规定自次日起计收电费违约金。` : '',
    a.managerName ? `台区经理：${a.managerName}${a.managerPhone ? `  联系电话：${a.managerPhone}` : ''}    供电服务热线：95598` : '供电服务热线：95598',
  ].filter(Boolean);

  return {
    title: b.kind === 'adjustment' ? '电费退补通知单' : '电费通知单',
    companyName: a.companyName,
    account: [
      ['户号', a.accountNo],
      ['户名', a.name],
      ['用电地址', a.address ?? '—'],
      ['供电所', a.stationName],
      ['台区', a.areaName],
      ['用电类别', `${categoryLabel(a.category)} · ${a.voltageLevel}`],
    ],
    bill: [
      ['电费年月', periodLabel(b.period)],
      ['账单编号', String(b.id)],
      ['状态', billStatusLabel(b.kind, b.status)],
      ['电价', b.tariffName ? `${b.tariffName}` : b.tariffCode],
      ['发行日期', issued ? dateLabel(b.issuedOn) : '—'],
      ['交费截止日', issued ? dateLabel(b.dueOn) : '发行后确定'],
    ],
    reads: { header: ['表号', '示数类型', '上期示数', '本期示数', '差值', '倍率', '抄见电量'], rows: readRows(input.meters) },
    usage: usagePairs(b),
    lines: linesTable(input.lines),
    totalYuan: yuanOf(b.totalFen, { grouped: true }),
    totalInCapitals: yuanInCapitals(b.totalFen),
    notes,
    arrears: issued && b.kind === 'regular' && input.standing?.account ? arrearsSection(b.id, input.standing.asOf, input.standing.account) : null,
    footer,
  };
}

/** quantity × unit price × factor = amount on every row (tariffs' presentBillLines), subtotals per kind, the average price. */
function linesTable(lines: readonly LineForDocument[]): BillDocument['lines'] {
  const view = presentBillLines(lines);
  const money = (fen: number) => yuanOf(fen, { grouped: true });
  return {
    header: ['计费项目', '数量', '单价', '系数', '金额(元)'],
    rows: view.lines.map((l) => [lineLabel(l.code), `${l.quantity} ${l.unit}`, unitPriceText(l), l.factor ? `${l.factor.text}(${l.factor.num}天)` : '', money(l.amountFen)]),
    subtotals: [
      ...view.subtotals.map((s) => [`${KIND_LABELS[s.kind]}小计`, '', '', '', money(s.amountFen)]),
      ...(view.averagePrice === null ? [] : [['平均电价', `${view.kwh} kWh`, `${view.averagePrice} 元/kWh`, '', '']]),
    ],
  };
}

function arrearsSection(billId: number, asOf: string, a: NonNullable<BillStanding['account']>): ArrearsSection {
  const money = (fen: number) => yuanOf(fen, { grouped: true });
  const rows = a.openBills.map((o) => [
    `${periodLabel(o.period)}${o.billId === billId ? '(本期)' : ''}`,
    String(o.billId),
    dateLabel(o.dueOn),
    money(o.principalOpenFen),
    o.overdueDays > 0 ? String(o.overdueDays) : '—',
    money(o.penaltyFen),
    money(o.principalOpenFen + o.penaltyFen),
  ]);
  const earlier = a.openBills.filter((o) => o.billId !== billId).length;
  const notes = [
    a.openBills.length === 0
      ? `截至${dateLabel(asOf)}，本户无欠费。`
      : `截至${dateLabel(asOf)}，本户共有 ${a.openBills.length} 笔未交清电费${earlier ? `(含往期 ${earlier} 笔)` : ''}，违约金计至当日，交费时一并收取。`,
    a.prepaidFen > 0 ? `另有预收余额 ${money(a.prepaidFen)} 元(未从上列合计中扣除)。` : '',
  ].filter(Boolean);
  return {
    title: `欠费情况(截至${dateLabel(asOf)})`,
    header: ['电费年月', '账单编号', '交费截止日', '未交电费(元)', '逾期天数', '违约金(元)', '小计(元)'],
    rows: a.openBills.length ? [...rows, ['合计', '', '', money(a.arrearsFen), '', money(a.penaltyFen), money(a.toPayFen)]] : [],
    totalOwedYuan: money(a.toPayFen),
    totalOwedInCapitals: yuanInCapitals(a.toPayFen),
    prepaidYuan: money(a.prepaidFen),
    notes,
  };
}

/** What is still owed on the bill on the day it is printed, with the penalty accrued to that day (RULES §6). */
function standingNote({ asOf, open }: BillStanding): string {
  if (!open) return `截至${dateLabel(asOf)}，本账单已交清。`;
  const penalty = open.penaltyFen > 0 ? `，已逾期 ${open.overdueDays} 天，电费违约金 ${yuanOf(open.penaltyFen, { grouped: true })} 元(按日累计，交费时一并收取)` : '';
  return `截至${dateLabel(asOf)}，本账单未交电费 ${yuanOf(open.principalOpenFen, { grouped: true })} 元${penalty}，合计应交 ${yuanOf(open.principalOpenFen + open.penaltyFen, { grouped: true })} 元。`;
}
