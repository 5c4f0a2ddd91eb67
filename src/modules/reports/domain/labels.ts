import type { LineKind, PresentedLine } from '../../tariffs/index.js';

/**
 * What the documents print for the codes the database holds: bill line codes (the rating engine's),
 * customer categories, bill status, review exception kinds. zh-CN, as the bills go to customers in Gansu.
 */

const TIERS = ['', '第一档', '第二档', '第三档', '第四档', '第五档'] as const;
const TOU: Record<string, string> = { peak: '峰段', flat: '平段', valley: '谷段', critical: '尖峰' };

/** energy | energy.tier1… | energy.peak/flat/valley/critical | basic.capacity | basic.demand(.excess) | pf.adjustment | funds */
export function lineLabel(code: string): string {
  if (code === 'energy') return '电度电费';
  const tier = /^energy\.tier(\d+)$/.exec(code);
  if (tier) return `${TIERS[Number(tier[1])] ?? `第${tier[1]}档`}电费`;
  const period = /^energy\.(peak|flat|valley|critical)$/.exec(code);
  if (period) return period[1] === 'critical' ? '尖峰电费' : `${TOU[period[1]!]}电费`;
  if (code === 'basic.capacity') return '基本电费(容量)';
  if (code === 'basic.demand') return '基本电费(需量)';
  if (code === 'basic.demand.excess') return '基本电费(超需量)';
  if (code === 'pf.adjustment') return '力调电费';
  if (code === 'funds') return '政府性基金及附加';
  // a code the engine does not make (a hand-made adjustment line): its kind of charge, and the code
  const segment = code.split('.', 1)[0];
  const kind = segment === 'energy' ? '电度电费' : segment === 'basic' ? '基本电费' : segment === 'pf' ? '力调电费' : segment === 'funds' ? '政府性基金及附加' : '其他';
  return `${kind}(${code})`;
}

/** A presented line's unit price as printed: "0.5100 元/kWh", "23.3000 元/kVA·月", and the power-factor percentage signed, "+2.00%". */
export function unitPriceText(l: Pick<PresentedLine, 'unitPrice' | 'priceUnit'>): string {
  if (l.priceUnit !== '%') return `${l.unitPrice} ${l.priceUnit}`;
  const positive = !l.unitPrice.startsWith('-') && /[1-9]/.test(l.unitPrice);
  return `${positive ? '+' : ''}${l.unitPrice}%`;
}

/** The kinds of charge the subtotals group by (tariffs' lineKind). */
export const KIND_LABELS: Record<LineKind, string> = { energy: '电度电费', basic: '基本电费', pf: '力调电费', funds: '政府性基金及附加', other: '其他' };

export const CATEGORY_LABELS: Record<string, string> = {
  residential: '居民生活',
  commercial: '一般工商业',
  large_industry: '大工业',
  agriculture: '农业生产',
  public: '公用事业',
  heating: '供暖',
};

export const categoryLabel = (category: string): string => CATEGORY_LABELS[category] ?? category;

/** The review exceptions of a bill run (billing/domain/reads.ts FindingKind). */
export const EXCEPTION_LABELS: Record<string, string> = {
  no_meter: '无在用电能表',
  no_previous_read: '无上期示数',
  missing_read: '缺抄',
  register_backwards: '示数倒走',
  tou_registers_missing: '缺分时示数',
  rating_refused: '无法核算',
  estimated_usage: '估抄电量',
  estimated_read: '估算示数',
  rollover: '示数翻转',
  usage_high: '电量突增',
  usage_low: '电量突减',
  usage_zero: '零电量',
};

export const exceptionLabel = (kind: string): string => EXCEPTION_LABELS[kind] ?? kind;

export const RUN_STATUS_LABELS: Record<string, string> = {
  rating: '核算中',
  review: '待审核',
  approved: '已审核',
  issuing: '发行中',
  issued: '已发行',
  failed: '中断',
};

export const runStatusLabel = (status: string): string => RUN_STATUS_LABELS[status] ?? status;

/** A bill's state as printed: issued or not yet (a draft is printed for checking only), regular or a correction. */
export function billStatusLabel(kind: string, status: string): string {
  const issued = status === 'issued' ? '已发行' : '未发行(草稿，仅供核对)';
  return kind === 'adjustment' ? `退补账单 · ${issued}` : `正常账单 · ${issued}`;
}

/** The review flags of a bill, as short words (估抄 estimated, 异常 outlier, 翻转 register rollover). */
export function flagsText(b: { estimated: boolean; outlier: boolean; rollover: boolean }): string {
  return [b.estimated && '估抄', b.outlier && '电量异常', b.rollover && '示数翻转'].filter(Boolean).join('、');
}

/** "2026-10" → "2026年10月" */
export function periodLabel(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  return m ? `${m[1]}年${Number(m[2])}月` : period;
}

/** "2026-11-30" → "2026年11月30日" */
export function dateLabel(date: string | null): string {
  const m = date && /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : '';
}
