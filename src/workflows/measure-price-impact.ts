import type { Db } from '../db/connect.js';
import { inSnapshot } from '../db/tx.js';
import { streamLastCycleUsage } from '../modules/metering/index.js';
import type { Ctx } from '../modules/org/index.js';
import { startImpact, type DraftRef, type ImpactResult } from '../modules/tariffs/index.js';

/**
 * A price change's impact (调价影响测算), across tariffs and metering, as a dry run in one read-only
 * snapshot: tariffs loads the draft and the published prices; metering streams the last complete cycle
 * of every account of the caller's scope on the tariff codes the draft can touch, in batches; tariffs
 * rates each before and after and tallies the differences.
 */
export function measurePriceImpact(db: Db, ctx: Ctx, ref: DraftRef, top: number): Promise<ImpactResult> {
  return inSnapshot(db, async (trx) => {
    const impact = await startImpact(trx, ref, top);
    const scope = ctx.actor.scope;
    const usage = streamLastCycleUsage(trx, {
      scope: { companyId: scope.companyId, stationId: scope.level === 'company' ? undefined : scope.stationId, managerUserId: scope.level === 'area' ? scope.managerUserId : undefined },
      tariffCodes: impact.codes,
    });
    for await (const batch of usage) impact.add(batch);
    return impact.result(trx, ctx);
  });
}
