import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { billDocument } from '../domain/bill-document.js';
import { renderBillPdf } from './bill-pdf.js';

/** The printed bill read back with a PDF text extractor: the arrears section (issue 17) is real, searchable text. */

async function pdfText(body: Buffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(body)), { mergePages: true });
  return text.replace(/\s+/g, '');
}

const doc = billDocument({
  bill: {
    id: 42,
    period: '2026-10',
    kind: 'regular',
    status: 'issued',
    tariffCode: 'gansu.residential.tiered',
    tariffName: '居民生活用电 一户一表 阶梯电价 (不满1千伏)',
    totalFen: 12136,
    kwh: '231.00',
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
  },
  account: { companyName: '肃南县供电公司', accountNo: '6207210001', name: '安小红', address: null, stationName: '红湾寺供电所', areaName: '红湾寺1号台区', category: 'residential', voltageLevel: '0.22kV', managerName: null, managerPhone: null },
  lines: [
    { code: 'energy.tier1', quantity: '160.00', unitPrice: '0.5100', amountFen: 8160 },
    { code: 'energy.tier2', quantity: '71.00', unitPrice: '0.5600', amountFen: 3976 },
  ],
  meters: [],
  adjustments: [],
  standing: {
    asOf: '2026-12-06',
    open: { principalOpenFen: 12136, penaltyFen: 100, overdueDays: 6 },
    account: {
      openBills: Array.from({ length: 13 }, (_, i) => {
        const month = 10 + i;
        const period = `${2025 + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}`;
        const last = i === 12;
        return { billId: last ? 42 : 100 + i, period, dueOn: `${period}-28`, principalOpenFen: last ? 12136 : 12000, penaltyFen: last ? 100 : 1000 + i, overdueDays: last ? 6 : 400 - 30 * i };
      }),
      arrearsFen: 12 * 12000 + 12136,
      penaltyFen: 12 * 1000 + 66 + 100,
      toPayFen: 12 * 12000 + 12136 + 12 * 1000 + 66 + 100,
      prepaidFen: 1234,
    },
  },
});

describe('the PDF bill, read back', () => {
  it('prints the arrears section: every open bill with its penalty, the total owed in figures and capitals, the prepaid balance', async () => {
    const text = await pdfText(await renderBillPdf(doc, { now: new Date('2026-12-06T02:00:00Z'), accountNo: '6207210001', billId: 42 }));
    expect(text).toContain('欠费情况(截至2026年12月6日)');
    for (const h of ['电费年月', '账单编号', '交费截止日', '未交电费(元)', '逾期天数', '违约金(元)', '小计(元)']) expect(text).toContain(h);
    expect(text).toContain('2025年10月');
    expect(text).toContain('2026年10月(本期)');
    expect(text).toContain('合计1,561.36'); // 12 × 120.00 + 121.36 principal
    expect(text).toContain('合计应交(含往期欠费及违约金)');
    expect(text).toContain('¥1,683.02元'); // + 121.66 of penalties
    expect(text).toContain('人民币(大写)：壹仟陆佰捌拾叁元零贰分');
    expect(text).toContain('预收余额¥12.34元');
    expect(text).toContain('共有13笔未交清电费(含往期12笔)');
    // this bill's own total is still printed, in figures and capitals
    expect(text).toContain('本期电费合计');
    expect(text).toContain('¥121.36元');
  });
});
