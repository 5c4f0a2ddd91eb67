import type pg from 'pg';
import type { Trx } from '../../../db/tx.js';
import type { ImportInput, ImportResult } from './import-statement.js';
import type { Operator } from './operator.js';
import type { ItemJson } from './queries.js';
import type { Resolving } from './resolve-item.js';

/**
 * What reconciliation's routes and commands are given from `workflows/import-statement.ts` (they may not
 * import it): the flows that apply payments through the payments core.
 */
export interface ReconciliationFlows {
  importStatement(deps: { pool: pg.Pool; reviewAboveFen: number }, op: Operator, input: ImportInput): Promise<ImportResult>;
  resolveItem(trx: Trx, op: Operator, id: number, input: Resolving): Promise<ItemJson>;
}
