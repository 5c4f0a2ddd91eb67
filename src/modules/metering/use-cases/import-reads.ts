import type pg from 'pg';
import { forbidden } from '../../../shared/errors.js';
import { auditBy, can, type Ctx } from '../../org/index.js';
import type { IncomingRead } from '../domain/read-rules.js';
import type { BatchResult } from '../metering.types.js';
import { ingestReadsBulk, type ReadSource } from './ingest-reads.js';

/**
 * A user's batch of reads (the API): needs `reads.import` (company-level roles: marketing's metering staff,
 * admin, the head-end's account), written by COPY on a client of `pool`; only the meters of the user's company are known — another company's
 * meter is refused as `unknown_meter`, exactly like one that does not exist. Audited per batch.
 */
export function importReads(pool: pg.Pool, ctx: Ctx, reads: readonly IncomingRead[], source: ReadSource): Promise<BatchResult> {
  if (!can(ctx.actor.role, 'reads.import')) throw forbidden('your role may not import meter reads');
  return ingestReadsBulk(pool, reads, { source, companyId: ctx.actor.scope.companyId, audit: auditBy(ctx), now: ctx.now });
}
