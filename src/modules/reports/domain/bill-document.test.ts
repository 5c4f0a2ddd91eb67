import { describe, expect, it } from 'vitest';
import { billDocument, type AccountForDocument, type BillForDocument, type MeterReadsForDocument } from './bill-document.js';

const account: AccountForDocument = {
  companyName: '肃南县供电公司',
  accountNo: '6207210001',
  name: '安小红',
  address: '红湾寺镇隆畅路 12 号',
  stationName: '红湾寺供电所',
  areaName: '红湾寺1号台区',
  category: 'residential',
  voltageLevel: '0.22kV',
  managerName: '李台区',
  managerPhone: '13900000001',
};

const bill: BillForDocument = {
  id: 42,
  period: '2026-10',
  kind: 'regular',
  status: 'issued',
  tariffCode: 'gansu.residential.tiered',
  tariffName: '居民生活用电 一户一表 阶梯电价 (不满1千伏)',
  totalFen: 17500,
  kwh: '300.00',
  peakKwh: null,
  flatKwh: null,
  valleyKwh: null,
  kvarh: null,
  maxDemandKw: null,
  days: null,
  estimated: false,
  outlier: false,
  rollover: false,
  issuedOn: '2026-11-15',
  dueOn: '2026-11-30',
  adjustsBillId: null,
  reason: null,
};

// RULES R1: 300 kWh → 81.60 + 44.80 + 48.60 = 175.00 元
const r1Lines = [
  { code: 'energy.tier1', quantity: '160.00', unitPrice: '0.5100', amountFen: 8160 },
  { code: 'energy.tier2', quantity: '80.00', unitPrice: '0.5600', amountFen: 4480 },
  { code: 'energy.tier3', quantity: '60.00', unitPrice: '0.8100', amountFen: 4860 },
];

const meter: MeterReadsForDocument = {
  meterNo: 'MT0001',
  multiplier: '1.00',
  registers: ['total'],
  previous: { readOn: '2026-10-01', total: '1200.50', peak: null, flat: null, valley: null, reactive: null, maxDemand: null },
  current: { readOn: '2026-11-01', total: '1500.50', peak: null, flat: null, valley: null, reactive: null, maxDemand: null, estimated: false },
};

describe('billDocument', () => {
  it('prints an issued tiered bill (RULES R1) with Chinese line labels, exact 元 and the amount in capitals', () => {
    const doc = billDocument({ bill, account, lines: r1Lines, meters: [meter], adjustments: [] });
    expect(doc.title).toBe('电费通知单');
    expect(doc.companyName).toBe('肃南县供电公司');
    expect(doc.account).toContainEqual(['户号', '6207210001']);
    expect(doc.account).toContainEqual(['台区', '红湾寺1号台区']);
    expect(doc.account).toContainEqual(['用电类别', '居民生活 · 0.22kV']);
    expect(doc.bill).toContainEqual(['电费年月', '2026年10月']);
    expect(doc.bill).toContainEqual(['状态', '正常账单 · 已发行']);
    expect(doc.bill).toContainEqual(['交费截止日', '2026年11月30日']);
    expect(doc.lines.rows).toEqual([
      ['第一档电费', '160.00 kWh', '0.5100 元/kWh', '', '81.60'],
      ['第二档电费', '80.00 kWh', '0.5600 元/kWh', '', '44.80'],
      ['第三档电费', '60.00 kWh', '0.8100 元/kWh', '', '48.60'],
    ]);
    expect(doc.lines.subtotals).toEqual([
      ['电度电费小计', '', '', '', '175.00'],
      ['平均电价', '300.00 kWh', '0.5833 元/kWh', '', ''],
    ]);
    expect(doc.arrears).toBeNull();
    expect(doc.totalYuan).toBe('175.00');
    expect(doc.totalInCapitals).toBe('壹佰柒拾伍元整');
    expect(doc.reads.header.at(-1)).toBe('抄见电量');
    expect(doc.reads.rows).toEqual([['MT0001', '有功总', '1200.50', '1500.50', '300.00', '1.00', '300.00']]);
    expect(doc.usage).toEqual([['有功电量', '300.00 kWh']]);
    expect(doc.notes).toEqual([]);
    expect(doc.footer[0]).toContain('微信支付');
    expect(doc.footer[0]).toContain('6207210001');
    expect(doc.footer[1]).toContain('2026年11月30日');
  });

  it('labels two-part, time-of-use, power-factor and funds lines, with the power factor as a percentage', () => {
    const doc = billDocument({
      bill: { ...bill, totalFen: 6_813_600, kwh: '100000.00', peakKwh: '30000.00', flatKwh: '40000.00', valleyKwh: '30000.00', kvarh: '60000.00', maxDemandKw: '450.00' },
      account: { ...account, category: 'large_industry', voltageLevel: '10kV' },
      lines: [
        { code: 'basic.demand', quantity: '420.00', unitPrice: '35.00', amountFen: 1_470_000 },
        { code: 'basic.demand.excess', quantity: '30.00', unitPrice: '70.00', amountFen: 210_000 },
        { code: 'energy.peak', quantity: '30000.00', unitPrice: '0.6500', amountFen: 1_950_000 },
        { code: 'energy.flat', quantity: '40000.00', unitPrice: '0.5000', amountFen: 2_000_000 },
        { code: 'energy.valley', quantity: '30000.00', unitPrice: '0.3500', amountFen: 1_050_000 },
        { code: 'pf.adjustment', quantity: '66800.00', unitPrice: '0.0200', amountFen: 133_600 },
        { code: 'funds', quantity: '100000.00', unitPrice: '0.022925', amountFen: 229_250 },
      ],
      meters: [],
      adjustments: [],
    });
    expect(doc.lines.rows.map((r) => r[0])).toEqual(['基本电费(需量)', '基本电费(超需量)', '峰段电费', '平段电费', '谷段电费', '力调电费', '政府性基金及附加']);
    expect(doc.lines.rows[0]![1]).toBe('420.00 kW');
    expect(doc.lines.rows[5]).toEqual(['力调电费', '66800.00 元', '+2.00%', '', '1,336.00']);
    expect(doc.lines.subtotals.map((r) => [r[0], r[4]])).toEqual([
      ['电度电费小计', '50,000.00'],
      ['基本电费小计', '16,800.00'],
      ['力调电费小计', '1,336.00'],
      ['政府性基金及附加小计', '2,292.50'],
      ['平均电价', ''],
    ]);
    expect(doc.totalYuan).toBe('68,136.00');
    expect(doc.usage.map((u) => u[0])).toEqual(['有功电量', '峰段电量', '平段电量', '谷段电量', '无功电量', '最大需量']);
  });

  it('marks drafts as not for payment and shows no due date', () => {
    const doc = billDocument({ bill: { ...bill, status: 'draft', issuedOn: null, dueOn: null }, account, lines: r1Lines, meters: [meter], adjustments: [] });
    expect(doc.bill).toContainEqual(['状态', '正常账单 · 未发行(草稿，仅供核对)']);
    expect(doc.bill).toContainEqual(['交费截止日', '发行后确定']);
    expect(doc.notes.at(-1)).toContain('不作交费依据');
    expect(doc.footer.join('\n')).not.toContain('违约金');
  });

  it('prints a correction (退补) with its reason, a negative total, and the original bill lists it', () => {
    const adj = billDocument({
      bill: { ...bill, id: 77, kind: 'adjustment', totalFen: -2550, adjustsBillId: 42, reason: '表计误差' },
      account,
      lines: [{ code: 'energy.tier3', quantity: '-50.00', unitPrice: '0.5100', amountFen: -2550 }],
      meters: [],
      adjustments: [],
    });
    expect(adj.title).toBe('电费退补通知单');
    expect(adj.bill).toContainEqual(['状态', '退补账单 · 已发行']);
    expect(adj.totalYuan).toBe('-25.50');
    expect(adj.totalInCapitals).toBe('负贰拾伍元伍角');
    expect(adj.notes[0]).toContain('第 42 号账单');
    expect(adj.notes[0]).toContain('表计误差');
    expect(adj.footer.join('\n')).not.toContain('违约金'); // nothing to pay

    const original = billDocument({ bill, account, lines: r1Lines, meters: [], adjustments: [{ id: 77, totalFen: -2550, issuedOn: '2026-11-20', reason: '表计误差' }] });
    expect(original.notes).toEqual(['本账单已于2026年11月20日退补 -25.50 元(退补单号 77，表计误差)。']);
  });

  it('says what is still owed on the day it is printed, with the penalty accrued to then', () => {
    const overdue = billDocument({
      bill,
      account,
      lines: r1Lines,
      meters: [],
      adjustments: [],
      standing: { asOf: '2026-12-06', open: { principalOpenFen: 42000, penaltyFen: 462, overdueDays: 11 } },
    });
    expect(overdue.notes).toEqual(['截至2026年12月6日，本账单未交电费 420.00 元，已逾期 11 天，电费违约金 4.62 元(按日累计，交费时一并收取)，合计应交 424.62 元。']);
    const notYetDue = billDocument({ bill, account, lines: r1Lines, meters: [], adjustments: [], standing: { asOf: '2026-11-20', open: { principalOpenFen: 12345, penaltyFen: 0, overdueDays: 0 } } });
    expect(notYetDue.notes).toEqual(['截至2026年11月20日，本账单未交电费 123.45 元，合计应交 123.45 元。']);
    const paid = billDocument({ bill, account, lines: r1Lines, meters: [], adjustments: [], standing: { asOf: '2026-12-06', open: null } });
    expect(paid.notes).toEqual(['截至2026年12月6日，本账单已交清。']);
    // a draft owes nothing yet, whatever is passed
    const draft = billDocument({ bill: { ...bill, status: 'draft' }, account, lines: r1Lines, meters: [], adjustments: [], standing: { asOf: '2026-12-06', open: null } });
    expect(draft.notes.join('')).not.toContain('截至');
  });

  it('shows estimated reads, rollover and the registers a meter has', () => {
    const tou: MeterReadsForDocument = {
      meterNo: 'MT0002',
      multiplier: '40.00',
      registers: ['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'],
      previous: { readOn: '2026-10-01', total: '99990.00', peak: '300.00', flat: '400.00', valley: '200.00', reactive: '50.00', maxDemand: '9.00' },
      current: { readOn: '2026-11-01', total: '10.00', peak: '310.00', flat: '420.00', valley: '230.00', reactive: '60.00', maxDemand: '11.25', estimated: true },
    };
    const doc = billDocument({ bill: { ...bill, estimated: true, rollover: true }, account, lines: r1Lines, meters: [tou], adjustments: [] });
    expect(doc.reads.rows).toEqual([
      ['MT0002', '有功总', '99990.00', '10.00 (估)', '翻转', '40.00', ''],
      ['MT0002', '有功峰', '300.00', '310.00 (估)', '10.00', '40.00', '400.00'],
      ['MT0002', '有功平', '400.00', '420.00 (估)', '20.00', '40.00', '800.00'],
      ['MT0002', '有功谷', '200.00', '230.00 (估)', '30.00', '40.00', '1200.00'],
      ['MT0002', '无功总', '50.00', '60.00 (估)', '10.00', '40.00', '400.00'],
      ['MT0002', '最大需量', '9.00', '11.25', '', '40.00', '450.00'],
    ]);
    expect(doc.notes).toEqual(['本期部分电量为估抄，待实抄后多退少补。', '本期电能表示数已满量程翻转，电量按翻转后计算。']);
  });

  it('prints a part month’s factor beside the basic charge: 630 kVA × 23.3000 × 10/30 = 4,893.00', () => {
    const doc = billDocument({
      bill: { ...bill, totalFen: 489300 },
      account,
      lines: [{ code: 'basic.capacity', quantity: '630.00', unitPrice: '23.3000', amountFen: 489300, detail: { proration: { days: 10, of: 30 } } }],
      meters: [],
      adjustments: [],
    });
    expect(doc.lines.rows).toEqual([['基本电费(容量)', '630.00 kVA', '23.3000 元/kVA·月', '10/30(10天)', '4,893.00']]);
  });

  it('lists this bill and the earlier unpaid ones with penalties to the print date, the total owed in capitals and the prepaid balance', () => {
    const doc = billDocument({
      bill,
      account,
      lines: r1Lines,
      meters: [],
      adjustments: [],
      standing: {
        asOf: '2026-12-06',
        open: { principalOpenFen: 17500, penaltyFen: 100, overdueDays: 6 },
        account: {
          openBills: [
            { billId: 30, period: '2026-08', dueOn: '2026-09-30', principalOpenFen: 12000, penaltyFen: 804, overdueDays: 67 },
            { billId: 42, period: '2026-10', dueOn: '2026-11-30', principalOpenFen: 17500, penaltyFen: 100, overdueDays: 6 },
          ],
          arrearsFen: 29500,
          penaltyFen: 904,
          toPayFen: 30404,
          prepaidFen: 250,
        },
      },
    });
    expect(doc.arrears).toEqual({
      title: '欠费情况(截至2026年12月6日)',
      header: ['电费年月', '账单编号', '交费截止日', '未交电费(元)', '逾期天数', '违约金(元)', '小计(元)'],
      rows: [
        ['2026年8月', '30', '2026年9月30日', '120.00', '67', '8.04', '128.04'],
        ['2026年10月(本期)', '42', '2026年11月30日', '175.00', '6', '1.00', '176.00'],
        ['合计', '', '', '295.00', '', '9.04', '304.04'],
      ],
      totalOwedYuan: '304.04',
      totalOwedInCapitals: '叁佰零肆元零肆分',
      prepaidYuan: '2.50',
      notes: ['截至2026年12月6日，本户共有 2 笔未交清电费(含往期 1 笔)，违约金计至当日，交费时一并收取。', '另有预收余额 2.50 元(未从上列合计中扣除)。'],
    });
  });
});
