import { AppError } from '../../../shared/errors.js';
import type { BillLine, CompiledAgentPrices, CompiledCatalogue, CompiledTariff, RateInput, RatingUsage } from '../../tariffs/index.js';
import { rate } from '../../tariffs/index.js';
import { partMonthDays } from './periods.js';
import { accountUsage, centsText, DEFAULT_READ_POLICY, type EstimatedRead, type Finding, type MeterReads, type ReadPolicy, type Usage } from './reads.js';

/** What the bill run knows of an account when it rates it (one row per meter, gathered by account). */
export interface AccountForBilling {
  id: number;
  tariffCode: string;
  category: string;
  voltageLevel: string;
  pfStandard: string | null;
  capacityKva: string | null;
  contractDemandKw: string | null;
  basicChargeBasis: string | null;
  agentMultiplier: string;
  openedOn: string;
  /** Due day of the account's supply contract (non-residential); null when it names none. */
  contractDueDay: number | null;
  meters: MeterReads[];
}

export interface RatingContext {
  period: string;
  catalogue: CompiledCatalogue;
  agentPrices: CompiledAgentPrices;
  readPolicy?: ReadPolicy;
}

/** A bill before it has an id: the engine's lines and total, the usage it rated, the review flags. */
export interface BillDraft {
  accountId: number;
  tariffCode: string;
  tariffEffectiveFrom: string;
  totalFen: number;
  lines: BillLine[];
  kwh: string;
  peakKwh: string | null;
  flatKwh: string | null;
  valleyKwh: string | null;
  kvarh: string | null;
  maxDemandKw: string | null;
  days: number | null;
  estimated: boolean;
  outlier: boolean;
  rollover: boolean;
  /** Due-date policy input (RULES §6): residential → null (days after issue); others → the contract's day. */
  dueDay: number | null;
}

export interface AccountOutcome {
  /** Null when a blocking finding stops the bill. */
  bill: BillDraft | null;
  findings: Finding[];
  /** Reads to store for meters whose read was missing (only with a bill: next month's difference starts there). */
  estimatedReads: EstimatedRead[];
}

/**
 * Validates an account's reads, rates its usage with the engine and assembles the bill (pure). Never
 * throws for one account's data: problems become findings, so one bad account never stops a run.
 */
export function billAccount(a: AccountForBilling, ctx: RatingContext): AccountOutcome {
  const tariff = ctx.catalogue.at(a.tariffCode, ctx.period);
  if (!tariff) return refused(`no version of tariff ${a.tariffCode} is in effect in ${ctx.period}`);
  const checked = accountUsage(a.meters, tariff.tou !== null, ctx.readPolicy ?? DEFAULT_READ_POLICY);
  if (!checked.usage) return { bill: null, findings: checked.findings, estimatedReads: [] };
  const usage = checked.usage;
  const days = partMonthDays(a.openedOn, ctx.period);
  let result;
  try {
    result = rate(ratingInput(a, usage, days, tariff, ctx));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { bill: null, findings: [{ kind: 'rating_refused', blocking: true, detail: { message: err.message, errors: err.details.errors ?? [] } }], estimatedReads: [] };
  }
  const bill: BillDraft = {
    accountId: a.id,
    tariffCode: result.tariffCode,
    tariffEffectiveFrom: result.tariffEffectiveFrom,
    totalFen: result.totalFen,
    lines: result.lines,
    kwh: centsText(usage.total),
    peakKwh: usage.peak === null ? null : centsText(usage.peak),
    flatKwh: usage.flat === null ? null : centsText(usage.flat),
    valleyKwh: usage.valley === null ? null : centsText(usage.valley),
    kvarh: usage.reactive === null ? null : centsText(usage.reactive),
    maxDemandKw: usage.maxDemand === null ? null : centsText(usage.maxDemand),
    days,
    estimated: checked.estimated,
    outlier: checked.outlier,
    rollover: checked.rollover,
    dueDay: a.category === 'residential' ? null : a.contractDueDay,
  };
  assertTotal(bill);
  return { bill, findings: checked.findings, estimatedReads: checked.estimatedReads };
}

/** The engine's input: TOU tariffs get the registers (never a split total), others the total. */
export function ratingInput(a: AccountForBilling, usage: Usage, days: number | null, tariff: CompiledTariff, ctx: RatingContext): RateInput {
  const u: RatingUsage = tariff.tou
    ? { kwhByPeriod: { peak: centsText(usage.peak!), flat: centsText(usage.flat!), valley: centsText(usage.valley!) } }
    : { kwh: centsText(usage.total) };
  if (usage.reactive !== null) u.kvarh = centsText(usage.reactive);
  if (usage.maxDemand !== null) u.maxDemandKw = centsText(usage.maxDemand);
  if (days !== null) u.days = String(days);
  return {
    tariff,
    agentPrices: ctx.agentPrices,
    period: ctx.period,
    account: {
      category: a.category,
      voltageLevel: a.voltageLevel,
      agentMultiplier: a.agentMultiplier,
      pfStandard: a.pfStandard,
      capacityKva: a.capacityKva,
      contractDemandKw: a.contractDemandKw,
      basicChargeBasis: a.basicChargeBasis,
    },
    usage: u,
  };
}

/** DESIGN §4: the bill total is the sum of its lines, in whole fen. */
export function assertTotal(b: { totalFen: number; lines: readonly { amountFen: number }[] }): void {
  let sum = 0;
  for (const l of b.lines) {
    if (!Number.isSafeInteger(l.amountFen)) throw new Error(`bill line amount ${l.amountFen} is not whole fen`);
    sum += l.amountFen;
  }
  if (sum !== b.totalFen) throw new Error(`bill total ${b.totalFen} is not the sum of its lines ${sum}`);
}

function refused(message: string): AccountOutcome {
  return { bill: null, findings: [{ kind: 'rating_refused', blocking: true, detail: { message } }], estimatedReads: [] };
}
