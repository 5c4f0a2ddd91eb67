import { divRoundHalfUp, formatDecimal, fractionDigits, parseDecimal, pow10 } from '../../../shared/exact.js';
import type { BillLinesView, PresentedLine } from '../tariffs.types.js';

/**
 * Bill lines as people read them — the one presentation the API, the PDF bill and the web share: every
 * line with the unit of its quantity and of its price and, for a part month, the proration factor, so
 * that quantity × unit price × factor (÷ 100 for a percentage) rounded half-up is the amount; subtotals
 * per kind of charge; the average price per kWh. Works on lines fresh from `rate()` and on stored ones.
 */

export const LINE_KINDS = ['energy', 'basic', 'pf', 'funds', 'other'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export interface LineInput {
  code: string;
  quantity: string;
  unitPrice: string;
  amountFen: number;
  detail?: Readonly<Record<string, unknown>> | null;
}

/**
 * A line as presented and the lines' view (subtotals per kind present, in LINE_KINDS order; the energy
 * lines' kWh; total ÷ kWh in 元/kWh, 4 decimals half-up, null without energy): the API's schemas.
 */
export type { BillLinesView, PresentedLine };

export function lineKind(code: string): LineKind {
  const head = code.split('.', 1)[0];
  return head === 'energy' || head === 'basic' || head === 'funds' ? head : head === 'pf' ? 'pf' : 'other';
}

function units(code: string): Pick<PresentedLine, 'unit' | 'priceUnit'> {
  if (code.startsWith('basic.capacity')) return { unit: 'kVA', priceUnit: '元/kVA·月' };
  if (code.startsWith('basic.demand')) return { unit: 'kW', priceUnit: '元/kW·月' };
  if (code.startsWith('pf.')) return { unit: '元', priceUnit: '%' };
  return { unit: 'kWh', priceUnit: '元/kWh' };
}

function prorationOf(detail: Readonly<Record<string, unknown>> | null | undefined): PresentedLine['factor'] {
  const p = detail?.proration as { days?: unknown; of?: unknown } | null | undefined;
  if (!p || typeof p.days !== 'number' || typeof p.of !== 'number') return null;
  return { num: p.days, den: p.of, text: `${p.days}/${p.of}` };
}

/** The power-factor line's fraction ("0.0200") as a signed percentage ("2.00"). */
function percentOf(fraction: string): string {
  const places = Math.max(4, fractionDigits(fraction));
  const v = parseDecimal(fraction, places, true);
  return v === undefined ? fraction : formatDecimal(v, places - 2, 2);
}

export function presentLine(l: LineInput): PresentedLine {
  const { unit, priceUnit } = units(l.code);
  const pf = l.code.startsWith('pf.');
  return {
    code: l.code,
    kind: lineKind(l.code),
    quantity: l.quantity,
    unit,
    unitPrice: pf ? percentOf(l.unitPrice) : l.unitPrice,
    priceUnit,
    factor: pf ? null : prorationOf(l.detail),
    amountFen: l.amountFen,
    detail: l.detail ?? {},
  };
}

/** quantity × unit price × factor (÷ 100 for %), in fen rounded half-up: what a reader recomputes. */
export function recomputedFen(l: Pick<PresentedLine, 'quantity' | 'unitPrice' | 'priceUnit' | 'factor'>): number {
  const qs = fractionDigits(l.quantity);
  const ps = fractionDigits(l.unitPrice);
  const q = parseDecimal(l.quantity, qs, true)!;
  const p = parseDecimal(l.unitPrice, ps, true)!;
  const num = BigInt(l.factor?.num ?? 1);
  const den = BigInt(l.factor?.den ?? 1) * (l.priceUnit === '%' ? 100n : 1n);
  return Number(divRoundHalfUp(q * p * num * 100n, pow10(qs + ps) * den));
}

export function presentBillLines(lines: readonly LineInput[]): BillLinesView {
  const presented = lines.map(presentLine);
  const sums = new Map<LineKind, number>();
  let total = 0;
  let kwh = 0n;
  for (const l of presented) {
    sums.set(l.kind, (sums.get(l.kind) ?? 0) + l.amountFen);
    total += l.amountFen;
    if (l.kind === 'energy') kwh += parseDecimal(l.quantity, 2, true) ?? 0n;
  }
  // 元/kWh at 4 places: total fen / (kWh × 100) × 10^4 = total × 10^4 / kWh(scale 2)
  const averagePrice = kwh > 0n ? formatDecimal(divRoundHalfUp(BigInt(total) * 10000n, kwh), 4, 4) : null;
  return {
    lines: presented,
    subtotals: LINE_KINDS.filter((k) => sums.has(k)).map((kind) => ({ kind, amountFen: sums.get(kind)! })),
    kwh: formatDecimal(kwh, 2, 2),
    averagePrice,
  };
}
