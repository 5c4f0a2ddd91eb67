import type { Db } from '../../../db/connect.js';
import type { Executor } from '../../../db/tx.js';
import { AppError, notFound, type FieldError } from '../../../shared/errors.js';
import { maskPhone } from '../../../shared/mask.js';
import type { Ctx } from '../../org/index.js';
import { ImpactTally, ratingAccountOf, usageOfMeters, type MeterCycle } from '../domain/impact.js';
import {
  compileAgentPrices,
  compileTariff,
  rate,
  type AgentPriceTable,
  type AgentPricesInput,
  type CompiledAgentPrices,
  type CompiledCatalogue,
  type TariffInput,
  type TariffVersion,
} from '../domain/index.js';
import { findPriceTable, findVersion, visitDetails } from '../tariffs.repository.js';
import type { AffectedAccount, DraftKind, Impact } from '../tariffs.types.js';
import { loadAgentPrices, loadCatalogue } from './load-published.js';

export type DraftRef = { kind: DraftKind; id: number };

export const IMPACT_BASIS =
  "each account's last complete cycle (the latest two cycle reads of each meter × multiplier), rated under the published catalogue and agent-purchase prices of that period, then again with the draft in their place";

/** An account's meter on its last complete cycle, as the metering read gives it (ordered by account). */
export type AccountCycleRow = MeterCycle & Parameters<typeof ratingAccountOf>[0] & { account_id: number; account_no: string; tariff_code: string };

/**
 * What a drafted tariff version or agent-purchase table would do to bills (调价影响测算), as a dry run:
 * every affected account of the caller's scope is rated twice on its last complete cycle — under the
 * published data of that period and with the draft in their place — and the differences are tallied.
 * Reads only (`workflows/measure-price-impact.ts` runs it in a read-only snapshot and streams the
 * accounts' cycles from metering in batches, so the memory used is one batch plus the top list whatever
 * the county's size).
 *
 * The draft is applied to the last cycle as if in force then (a version dated later is moved back to the
 * period's first day; a month's table is used in place of that period's table): the question answered
 * is "this bill, under the new prices", which is what an explanatory visit is about.
 */
export async function startImpact(db: Executor, ref: DraftRef, top: number) {
  const started = Date.now();
  const draft = await loadDraft(db, ref);
  const catalogue = await loadCatalogue(db);
  const prices = await loadAgentPrices(db);
  const scenario = draft.kind === 'tariffVersion' ? versionScenario(draft.version, catalogue, prices) : tableScenario(draft.table, catalogue, prices);

  const tally = new ImpactTally(top);
  const counts = { considered: 0, noUsage: 0, notAffected: 0, notRated: 0 };
  const problems = new Map<string, { field: string; message: string; count: number; accountNo: string }>();
  return {
    /** The tariff codes whose accounts can be affected (the filter of the usage read). */
    codes: scenario.codes,
    /** Rates a batch of rows (ordered by account, an account's rows in one batch) before and after. */
    add(batch: readonly AccountCycleRow[]): void {
      for (const rows of byAccount(batch)) {
        counts.considered++;
        const a = rows[0]!;
        const cycle = usageOfMeters(rows);
        if (!cycle) {
          counts.noUsage++;
          continue;
        }
        const inputs = scenario.inputs(a.tariff_code, cycle.period);
        if (!inputs) {
          counts.notAffected++;
          continue;
        }
        const account = ratingAccountOf(a);
        try {
          const before = rate({ ...inputs.before, period: cycle.period, account, usage: cycle.usage });
          const after = rate({ ...inputs.after, period: cycle.period, account, usage: cycle.usage });
          tally.add(a.account_id, cycle.period, before.totalFen, after.totalFen);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          counts.notRated++;
          noteProblem(problems, err, a.account_no);
        }
      }
    },
    /** The tally, with the most affected accounts' visit details (of the caller's scope). */
    async result(db: Executor, ctx: Ctx): Promise<Impact> {
      const summary = tally.summary();
      return {
        draft: draft.ref,
        basis: IMPACT_BASIS,
        scope: ctx.actor.scope.level,
        accounts: { considered: counts.considered, rated: summary.rated, increased: summary.increased, decreased: summary.decreased, unchanged: summary.unchanged, noUsage: counts.noUsage, notAffected: counts.notAffected, notRated: counts.notRated },
        totals: { beforeFen: summary.beforeFen, afterFen: summary.afterFen, changeFen: summary.changeFen, changePercent: summary.changePercent },
        histogramFen: summary.histogramFen,
        histogramPercent: summary.histogramPercent,
        noBase: summary.noBase,
        periods: summary.periods,
        problems: [...problems.values()].sort((x, y) => y.count - x.count),
        top: await withVisitDetails(db, ctx, summary.top),
        elapsedMs: Date.now() - started,
      };
    },
  };
}

export type ImpactMeasure = Awaited<ReturnType<typeof startImpact>>;
/** The dry run's answer: the API's `Impact`. */
export type ImpactResult = Impact;

/** What tariffs' routes are given from `workflows/` (they may not import it): the dry run across metering. */
export interface TariffFlows {
  measurePriceImpact(db: Db, ctx: Ctx, ref: DraftRef, top: number): Promise<ImpactResult>;
}

// ---- the draft and how each period is rated with and without it ------------------------------------

type LoadedDraft =
  | { kind: 'tariffVersion'; ref: { kind: 'tariffVersion'; id: number; code: string; effectiveFrom: string; month: null }; version: TariffVersion }
  | { kind: 'agentPriceTable'; ref: { kind: 'agentPriceTable'; id: number; code: null; effectiveFrom: null; month: string }; table: AgentPriceTable };

async function loadDraft(db: Executor, ref: DraftRef): Promise<LoadedDraft> {
  if (ref.kind === 'tariffVersion') {
    const v = await findVersion(db, ref.id);
    if (!v) throw notFound('tariff version');
    if (v.status !== 'draft') throw new AppError('CONFLICT', `${v.code} from ${v.effective_from} is published: its effect is in the bills, not a what-if`);
    return { kind: 'tariffVersion', ref: { kind: ref.kind, id: v.id, code: v.code, effectiveFrom: v.effective_from, month: null }, version: v.definition as unknown as TariffVersion };
  }
  const t = await findPriceTable(db, ref.id);
  if (!t) throw notFound('agent-purchase price table');
  if (t.status !== 'draft') throw new AppError('CONFLICT', `the ${t.month} table is published: its effect is in the bills, not a what-if`);
  return { kind: 'agentPriceTable', ref: { kind: ref.kind, id: t.id, code: null, effectiveFrom: null, month: t.month }, table: t.definition as unknown as AgentPriceTable };
}

interface RateArgs {
  tariff: TariffInput;
  agentPrices: AgentPricesInput | null;
}

interface Scenario {
  /** The tariff codes whose accounts can be affected (the SQL filter). */
  codes: string[];
  /** Before/after rating inputs for an account on `code` in `period`; null when the draft does not touch it. */
  inputs(code: string, period: string): { before: RateArgs; after: RateArgs } | null;
}

/** Per-period compiled objects, built once: the engine caches prices per compiled object. */
function perPeriod<T>(make: (period: string) => T): (period: string) => T {
  const cache = new Map<string, T>();
  return (period) => {
    let v = cache.get(period);
    if (v === undefined) cache.set(period, (v = make(period)));
    return v;
  };
}

/** A draft version replaces whatever version of its code was in force in the account's period. */
function versionScenario(draft: TariffVersion, catalogue: CompiledCatalogue, prices: CompiledAgentPrices): Scenario {
  const asOf = perPeriod((period) => {
    const first = `${period}-01`;
    return compileTariff({ ...draft, effectiveFrom: draft.effectiveFrom < first ? draft.effectiveFrom : first });
  });
  return {
    codes: [draft.code],
    inputs: (code, period) => {
      const history = catalogue.history(code);
      // A published version starting after the draft and by this period would still be the one in force.
      if (history?.versions.some((v) => v.effectiveFrom > draft.effectiveFrom && v.effectiveFrom <= `${period}-01`)) return null;
      return { before: { tariff: history ?? [], agentPrices: prices }, after: { tariff: asOf(period), agentPrices: prices } };
    },
  };
}

/** A draft month table replaces the period's published table, for the accounts priced by agent purchase. */
function tableScenario(draft: AgentPriceTable, catalogue: CompiledCatalogue, prices: CompiledAgentPrices): Scenario {
  const asOf = perPeriod((period) => compileAgentPrices({ ...draft, month: period }));
  const codes = [...catalogue.byCode.values()].filter((h) => h.versions.some((v) => v.needsAgentPrices)).map((h) => h.code);
  return {
    codes,
    inputs: (code, period) => {
      const history = catalogue.history(code)!;
      if (!history.at(period)?.needsAgentPrices) return null;
      return { before: { tariff: history, agentPrices: prices }, after: { tariff: history, agentPrices: asOf(period) } };
    },
  };
}

// ---- helpers -----------------------------------------------------------------------------------------

/** Rows come ordered by account: consecutive runs of the same account. */
function* byAccount(rows: readonly AccountCycleRow[]): Generator<AccountCycleRow[]> {
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i === rows.length || rows[i]!.account_id !== rows[start]!.account_id) {
      yield rows.slice(start, i);
      start = i;
    }
  }
}

function noteProblem(problems: Map<string, { field: string; message: string; count: number; accountNo: string }>, err: AppError, accountNo: string): void {
  const first: FieldError = err.details.errors?.[0] ?? { field: '(none)', message: err.message };
  const seen = problems.get(first.field);
  if (seen) seen.count++;
  else problems.set(first.field, { field: first.field, message: first.message, count: 1, accountNo });
}

async function withVisitDetails(db: Executor, ctx: Ctx, top: ReturnType<ImpactTally['summary']>['top']): Promise<AffectedAccount[]> {
  const details = new Map((await visitDetails(db, ctx.actor.scope, top.map((t) => t.accountId))).map((d) => [d.id, d]));
  return top.flatMap((t) => {
    const d = details.get(t.accountId);
    if (!d) return []; // left the scope meanwhile (cannot happen in one snapshot, but never show it)
    return [
      {
        accountId: t.accountId,
        accountNo: d.account_no,
        name: d.name,
        category: d.category,
        tariffCode: d.tariff_code,
        stationName: d.station_name,
        areaName: d.area_name,
        managerName: d.manager_name,
        phone: maskPhone(d.phone),
        period: t.period,
        beforeFen: t.beforeFen,
        afterFen: t.afterFen,
        changeFen: t.changeFen,
        changePercent: t.changePercent,
      },
    ];
  });
}
