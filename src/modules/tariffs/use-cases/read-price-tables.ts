import type { Executor } from '../../../db/tx.js';
import { notFound } from '../../../shared/errors.js';
import type { Ctx } from '../../org/index.js';
import { compareTables } from '../domain/compare-tables.js';
import { publishDeadline } from '../domain/publishing.js';
import type { AgentPriceTable } from '../domain/index.js';
import { findPriceTable, listPriceTables, previousPublishedPriceTable } from '../tariffs.repository.js';
import type { PriceTable, PriceTableFilter, PriceTableList } from '../tariffs.types.js';
import { presentPriceTable, presentPriceTableSummary } from './present.js';

/** Every month's tables, newest first (a small reference table: no paging). Every role may read them. */
export async function listPriceTablesOf(db: Executor, _ctx: Ctx, f: PriceTableFilter): Promise<PriceTableList> {
  return { items: (await listPriceTables(db, f)).map(presentPriceTableSummary), nextCursor: null };
}

/** One table; a draft also carries its comparison with the latest published earlier month. */
export async function getPriceTable(db: Executor, _ctx: Ctx, id: number): Promise<PriceTable> {
  const t = await findPriceTable(db, id);
  if (!t) throw notFound('agent-purchase price table');
  const previous = t.status === 'draft' ? await previousPublishedPriceTable(db, t.month) : undefined;
  return {
    ...presentPriceTable(t),
    deadline: publishDeadline(t.month),
    comparison: previous ? compareTables(previous.definition as unknown as AgentPriceTable, t.definition as unknown as AgentPriceTable) : null,
  };
}
