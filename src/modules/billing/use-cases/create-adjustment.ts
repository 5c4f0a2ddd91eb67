import type { Trx } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, invalid } from '../../../shared/errors.js';
import { divRoundHalfUp, formatDecimal, fractionDigits, parseDecimal, pow10, toSafeInteger } from '../../../shared/exact.js';
import { insertAudit } from '../../audit/index.js';
import { balanceOf, billTransfer, bookOfLine, creditToPrepaidTransfer, postTransfer } from '../../ledger/index.js';
import type { Ctx } from '../../org/index.js';
import { rate, type RatingUsage } from '../../tariffs/index.js';
import { billLines, effectiveLines, insertAdjustment, nextBillId } from '../billing.repository.js';
import { dueDate } from '../domain/due-date.js';
import { presentBill, presentLines } from '../domain/present.js';
import { operatorOf, requireBilling, auditActor } from './operator.js';
import { billInScope } from './queries.js';
import { loadRatingTariffs } from './tariff-source.js';
import type { AdjustmentInput, Bill } from '../billing.lines.js';

interface AdjustmentLine {
  code: string;
  quantity: string;
  unitPrice: string;
  amountFen: number;
  detail: Record<string, unknown>;
}

/**
 * A correction (退补): an issued bill is never edited. The adjustment is a bill of its own (kind
 * 'adjustment', signed lines, linked by adjusts_bill_id), issued at once with its own ledger transfer —
 * a negative one credits receivable. Repeated corrections compose: each is computed against the bill
 * plus every earlier adjustment of it. Audited, in one transaction.
 */
export async function createAdjustment(trx: Trx, ctx: Ctx, billId: number, input: AdjustmentInput): Promise<Bill> {
  const op = operatorOf(ctx);
  requireBilling(op, 'billing.adjust', 'correct bills');
  const { bill, account } = await billInScope(trx, ctx, billId);
  if (bill.kind !== 'regular') throw new AppError('CONFLICT', `bill ${bill.id} is itself an adjustment: correct the original bill ${bill.adjusts_bill_id}`);
  if (bill.status !== 'issued') throw new AppError('CONFLICT', `bill ${bill.id} is not issued yet: a draft is corrected by fixing its reads before the run is approved`);
  if ((input.usage === undefined) === (input.lines === undefined)) throw invalid('usage', 'give either usage (to re-rate the period) or lines (signed amounts), not both');

  const lines = input.usage
    ? await rerated(trx, bill, account, input.usage)
    : manualLines(input.lines!);
  const totalFen = lines.reduce((s, l) => s + l.amountFen, 0);
  if (lines.length === 0 || totalFen === 0 && lines.every((l) => l.amountFen === 0)) throw invalid(input.usage ? 'usage' : 'lines', 'the adjustment changes nothing');

  const today = businessDate(ctx.now);
  const id = await nextBillId(trx);
  await insertAdjustment(trx, {
    id,
    accountId: bill.account_id,
    period: bill.period,
    tariffCode: bill.tariff_code,
    tariffEffectiveFrom: bill.tariff_effective_from,
    totalFen,
    dueDay: bill.due_day,
    issuedAt: ctx.now,
    dueOn: dueDate(today, bill.due_day),
    adjustsBillId: bill.id,
    reason: input.reason,
    createdBy: op.userId,
    lines,
  });
  const transfer = billTransfer({ accountId: bill.account_id, billId: id, kind: 'adjustment', totalFen, lines }, today, `退补 bill ${bill.id}: ${input.reason}`.slice(0, 500));
  if (transfer) await postTransfer(trx, transfer);
  // an overpayment the adjustment uncovered is no debt of ours on receivable: it moves to prepaid (RULES §8.4)
  const receivable = await balanceOf(trx, bill.account_id, 'receivable');
  if (receivable < 0) await postTransfer(trx, creditToPrepaidTransfer(bill.account_id, 'bill', id, today, -receivable));
  await insertAudit(trx, { ...auditActor(op), action: 'bill.adjust', entity: 'bill', entityId: id, detail: { adjusts: bill.id, accountId: bill.account_id, period: bill.period, totalFen, reason: input.reason } });

  const created = (await trx.selectFrom('bill as b').selectAll('b').where('b.account_id', '=', bill.account_id).where('b.id', '=', id).executeTakeFirstOrThrow());
  return { ...presentBill(created), ...presentLines(await billLines(trx, bill.account_id, id)), adjustmentIds: [] };
}

/** Corrected usage rated with the tariff and prices of the bill's period, minus what is billed already. */
async function rerated(
  trx: Trx,
  bill: { account_id: number; id: number; period: string; tariff_code: string; days: number | null },
  account: { category: string; voltage_level: string; agent_multiplier: string; pf_standard: string | null; capacity_kva: string | null; contract_demand_kw: string | null; basic_charge_basis: string | null },
  usage: RatingUsage,
): Promise<AdjustmentLine[]> {
  const tariffs = await loadRatingTariffs(trx);
  const tariff = tariffs.catalogue.at(bill.tariff_code, bill.period);
  if (!tariff) throw invalid('usage', `no version of tariff ${bill.tariff_code} is in effect in ${bill.period}`);
  const corrected = rate({
    tariff,
    agentPrices: tariffs.agentPrices,
    period: bill.period,
    account: {
      category: account.category,
      voltageLevel: account.voltage_level,
      agentMultiplier: account.agent_multiplier,
      pfStandard: account.pf_standard,
      capacityKva: account.capacity_kva,
      contractDemandKw: account.contract_demand_kw,
      basicChargeBasis: account.basic_charge_basis,
    },
    usage: { ...(bill.days !== null ? { days: String(bill.days) } : {}), ...usage },
  });
  const billed = await effectiveLines(trx, bill.account_id, bill.id);
  const unitPrices = new Map((await billLines(trx, bill.account_id, bill.id)).map((l) => [l.code, l.unit_price]));
  const codes = [...new Set([...billed.map((l) => l.code), ...corrected.lines.map((l) => l.code)])];
  const out: AdjustmentLine[] = [];
  for (const code of codes) {
    const was = billed.find((l) => l.code === code);
    const now = corrected.lines.find((l) => l.code === code);
    const amountFen = (now?.amountFen ?? 0) - (was?.amountFen ?? 0);
    const quantity = subtract(now?.quantity ?? '0', was?.quantity ?? '0');
    if (amountFen === 0 && /^-?0(\.0*)?$/.test(quantity)) continue;
    out.push({
      code,
      quantity,
      unitPrice: now?.unitPrice ?? unitPrices.get(code) ?? '0',
      amountFen,
      detail: { billed: was ? { quantity: was.quantity, amountFen: was.amountFen } : null, corrected: now ? { quantity: now.quantity, amountFen: now.amountFen, detail: now.detail } : null },
    });
  }
  return out;
}

function subtract(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b), 2);
  return formatDecimal(parseDecimal(a, scale, true)! - parseDecimal(b, scale, true)!, scale, 2);
}

/** Hand-made signed lines: each code must have a ledger book; amount = quantity × unit price, HALF_UP once. */
function manualLines(lines: { code: string; quantity: string; unitPrice: string }[]): AdjustmentLine[] {
  return lines.map((l, i) => {
    try {
      bookOfLine(l.code);
    } catch {
      throw invalid(`lines[${i}].code`, `${l.code} is not a bill line code (energy…, basic…, pf.adjustment, funds)`);
    }
    const qs = fractionDigits(l.quantity);
    const ps = fractionDigits(l.unitPrice);
    const q = parseDecimal(l.quantity, qs, true);
    const p = parseDecimal(l.unitPrice, ps, true);
    if (q === undefined) throw invalid(`lines[${i}].quantity`, `"${l.quantity}" is not a decimal number`);
    if (p === undefined) throw invalid(`lines[${i}].unitPrice`, `"${l.unitPrice}" is not a decimal number`);
    const fen = divRoundHalfUp(q * p * 100n, pow10(qs + ps));
    return { code: l.code, quantity: l.quantity, unitPrice: l.unitPrice, amountFen: toSafeInteger(fen, `lines[${i}] amount`), detail: { manual: true } };
  });
}
