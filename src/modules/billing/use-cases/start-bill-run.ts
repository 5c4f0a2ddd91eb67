import type { Db } from '../../../db/connect.js';
import { inTransaction } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, invalid } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { isPeriod, periodEnd, readDateOf } from '../domain/periods.js';
import { billableAccounts, billableTariffCodes, findRunOfPeriod, insertRun, moveRun, type BillRunRow } from '../billing.repository.js';
import { missingTariffs } from '../domain/tariff-check.js';
import { loadRatingTariffs } from './tariff-source.js';
import { auditActor, requireBilling, type Operator } from './operator.js';

/**
 * Starts the bill run of a period for the operator's company, or picks up the one already there: a run
 * that failed goes back to the phase it failed in; any other run is returned as it is (running a
 * period again adds nothing). The caller then drives it (CLI in the foreground, server in the background).
 */
export async function startBillRun(db: Db, op: Operator, period: string): Promise<{ run: BillRunRow; created: boolean }> {
  requireBilling(op, 'billing.run', 'start a bill run');
  if (!isPeriod(period)) throw invalid('period', 'must be a month YYYY-MM');
  const today = businessDate(op.now);
  if (readDateOf(period) > today) throw invalid('period', `the cycle reads of ${period} are taken on ${readDateOf(period)}; the period can be billed from that day (today is ${today})`);
  try {
    return await inTransaction(db, async (trx) => {
      const existing = await findRunOfPeriod(trx, op.companyId, period);
      if (existing) return { run: await resumeIfFailed(trx, op, existing), created: false };
      const tariffs = await loadRatingTariffs(trx);
      const missing = missingTariffs(await billableTariffCodes(trx, op.companyId, periodEnd(period)), tariffs.catalogue, tariffs.agentPrices, period);
      if (missing.length) throw new AppError('VALIDATION', `${period} cannot be billed yet: ${missing.map((m) => m.message).join('; ')}`, { errors: missing });
      const accounts = await billableAccounts(trx, op.companyId, periodEnd(period));
      const run = await insertRun(trx, { companyId: op.companyId, period, createdBy: op.userId, accountsTotal: accounts.count, accountIdBound: accounts.maxId, now: op.now });
      await insertAudit(trx, { ...auditActor(op), action: 'bill_run.start', entity: 'bill_run', entityId: run.id, detail: { period, accounts: accounts.count } });
      return { run, created: true };
    });
  } catch (err) {
    // Two starts of the same period at once: the unique (company, period) lets one win; the other joins it.
    if ((err as { code?: string }).code === '23505') return { run: (await findRunOfPeriod(db, op.companyId, period))!, created: false };
    throw err;
  }
}

async function resumeIfFailed(trx: Parameters<typeof insertAudit>[0], op: Operator, run: BillRunRow): Promise<BillRunRow> {
  if (run.status !== 'failed' || !run.failed_status) return run;
  const resumed = await moveRun(trx, run.id, ['failed'], { status: run.failed_status, failed_status: null, error: null });
  await insertAudit(trx, { ...auditActor(op), action: 'bill_run.resume', entity: 'bill_run', entityId: run.id, detail: { period: run.period, phase: run.failed_status, error: run.error } });
  return resumed ?? run;
}
