import { parseDecimal } from '../../../shared/exact.js';
import { AGENT_COMPONENTS, type AgentPriceTable } from './tariff-format.js';
import { PRICE_SCALE } from './validate.js';
import type { TableComparison } from '../tariffs.types.js';

/** A draft month against the latest published earlier month: what a reviewer checks before publishing. */
export function compareTables(earlier: AgentPriceTable, next: AgentPriceTable): TableComparison {
  const key = (r: { voltage: string; column: string }) => `${r.voltage} ${r.column}`;
  const nextRows = new Map(next.rows.map((r) => [key(r), r]));
  const missingRows: string[] = [];
  const changes: TableComparison['changes'] = [];
  for (const r of earlier.rows) {
    const n = nextRows.get(key(r));
    if (!n) {
      missingRows.push(key(r));
      continue;
    }
    for (const c of AGENT_COMPONENTS)
      if (parseDecimal(r[c], PRICE_SCALE, true) !== parseDecimal(n[c], PRICE_SCALE, true)) changes.push({ voltage: r.voltage, column: r.column, component: c, from: r[c], to: n[c] });
  }
  return { month: earlier.month, missingRows, changes };
}
