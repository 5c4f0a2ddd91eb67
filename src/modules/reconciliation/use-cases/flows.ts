import type pg from 'pg';
import type { Trx } from '../../../db/tx.js';
import type { ImportResult, ReconItem, ResolveInput } from '../reconciliation.types.js';
import type { ImportInput } from './import-statement.js';
import type { Operator } from './operator.js';

/**
 * What reconciliation's routes and commands are given from `workflows/import-statement.ts` (they may not
 * import it): the flows that apply payments through the payments core.
 */
export interface ReconciliationFlows {
  importStatement(deps: { pool: pg.Pool; reviewAboveFen: number }, op: Operator, input: ImportInput): Promise<ImportResult>;
  resolveItem(trx: Trx, op: Operator, id: number, input: ResolveInput): Promise<ReconItem>;
}
