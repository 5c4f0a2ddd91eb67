import { yuanOf } from '../../../shared/money.js';
import { xlsxOf } from '../spreadsheets.js';
import type { Impact } from '../tariffs.types.js';

const CATEGORY_ZH: Record<string, string> = {
  residential: '居民生活',
  commercial: '一般工商业',
  large_industry: '大工业',
  agriculture: '农业生产',
  public: '公用事业',
  heating: '供暖',
};

const yuan = (fen: number) => fen / 100; // display only: the sheet shows 2 decimals of an exact fen amount

/**
 * The visit list (走访清单) of a price-change impact: the most affected accounts with whom to see about
 * it (station, area, area manager, masked phone) and their bill before and after, most affected first.
 */
export async function visitListXlsx(result: Impact): Promise<{ filename: string; body: Buffer }> {
  const what = result.draft.kind === 'tariffVersion' ? `${result.draft.code} ${result.draft.effectiveFrom}` : `代理购电价格 ${result.draft.month}`;
  const body = await xlsxOf([
    {
      name: '走访清单',
      preface: [
        `调价影响走访清单 · ${what}（草稿）`,
        `测算口径：各户最近一个完整抄表周期的电量，按该周期已发布电价与草稿分别计算（试算，不入账）。`,
        `合计：调整前 ${yuanOf(result.totals.beforeFen, { grouped: true })} 元，调整后 ${yuanOf(result.totals.afterFen, { grouped: true })} 元，变化 ${yuanOf(result.totals.changeFen, { grouped: true })} 元（${result.accounts.rated} 户）`,
      ],
      columns: [
        { header: '序号', key: 'n', width: 6 },
        { header: '户号', key: 'accountNo', width: 14 },
        { header: '户名', key: 'name', width: 24 },
        { header: '用电类别', key: 'category', width: 10 },
        { header: '电价代码', key: 'tariffCode', width: 24 },
        { header: '供电所', key: 'stationName', width: 12 },
        { header: '台区', key: 'areaName', width: 18 },
        { header: '台区经理', key: 'managerName', width: 10 },
        { header: '联系电话', key: 'phone', width: 14 },
        { header: '抄表周期', key: 'period', width: 10 },
        { header: '调整前(元)', key: 'before', width: 14, numFmt: '#,##0.00' },
        { header: '调整后(元)', key: 'after', width: 14, numFmt: '#,##0.00' },
        { header: '变化(元)', key: 'change', width: 14, numFmt: '+#,##0.00;-#,##0.00;0.00' },
        { header: '变化(%)', key: 'percent', width: 10 },
      ],
      rows: result.top.map((t, i) => ({
        n: i + 1,
        accountNo: t.accountNo,
        name: t.name,
        category: CATEGORY_ZH[t.category] ?? t.category,
        tariffCode: t.tariffCode,
        stationName: t.stationName,
        areaName: t.areaName,
        managerName: t.managerName,
        phone: t.phone,
        period: t.period,
        before: yuan(t.beforeFen),
        after: yuan(t.afterFen),
        change: yuan(t.changeFen),
        percent: t.changePercent === null ? '—' : `${t.changePercent}%`,
      })),
    },
  ]);
  const name = result.draft.kind === 'tariffVersion' ? `${result.draft.code}-${result.draft.effectiveFrom}` : `agent-prices-${result.draft.month}`;
  return { filename: `impact-visit-list-${name}.xlsx`, body };
}
