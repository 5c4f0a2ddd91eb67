import type { Executor } from '../../../db/tx.js';
import { addMonths, businessDate } from '../../../shared/business-time.js';
import { notFound } from '../../../shared/errors.js';
import type { Scope } from '../../org/index.js';
import { accountStatement } from '../../payments/index.js';
import { billDocument, type BillDocument, type BillStanding, type MeterReadsForDocument } from '../domain/bill-document.js';
import { renderBillPdf } from '../render/bill-pdf.js';
import { adjustmentsOf, billLines, findBillForDocument, meterReads } from '../reports.repository.js';

export interface BillPdf {
  filename: string;
  body: Buffer;
  accountNo: string;
  period: string;
  totalFen: number;
}

/**
 * The printed notice of a bill the scope may see; another subtree's bill is not found (404), exactly as
 * one that does not exist (GET /bills/:id answers the same way). Reads only; call it in one snapshot.
 */
export async function loadBillDocument(
  db: Executor,
  scope: Scope,
  billId: number,
  asOf?: string,
): Promise<{ doc: BillDocument; accountNo: string; period: string; totalFen: number }> {
  const b = await findBillForDocument(db, scope, billId);
  if (!b) throw notFound('bill');
  const standing = asOf && b.kind === 'regular' && b.status === 'issued' ? await standingOf(db, b.account_id, b.id, asOf) : null;
  const lines = await billLines(db, b.account_id, b.id);
  // a correction has no reads of its own; the reads belong to the bill it corrects
  const reads = b.kind === 'regular' ? await meterReads(db, b.account_id, b.period, addMonths(b.period, -1)) : [];
  const adjustments = b.kind === 'regular' ? await adjustmentsOf(db, b.account_id, b.id) : [];
  const meters: MeterReadsForDocument[] = reads.map((r) => ({
    meterNo: r.meter_no,
    multiplier: r.multiplier,
    registers: r.registers,
    previous: r.p_total === null ? null : { readOn: r.p_read_on!, total: r.p_total, peak: r.p_peak, flat: r.p_flat, valley: r.p_valley, reactive: r.p_reactive, maxDemand: r.p_max_demand },
    current:
      r.c_total === null
        ? null
        : { readOn: r.c_read_on!, total: r.c_total, peak: r.c_peak, flat: r.c_flat, valley: r.c_valley, reactive: r.c_reactive, maxDemand: r.c_max_demand, estimated: r.c_estimated === true },
  }));
  const doc = billDocument({
    bill: {
      id: b.id,
      period: b.period,
      kind: b.kind,
      status: b.status,
      tariffCode: b.tariff_code,
      tariffName: b.tariff_name ?? null,
      totalFen: b.total_fen,
      kwh: b.kwh,
      peakKwh: b.peak_kwh,
      flatKwh: b.flat_kwh,
      valleyKwh: b.valley_kwh,
      kvarh: b.kvarh,
      maxDemandKw: b.max_demand_kw,
      days: b.days,
      estimated: b.estimated,
      outlier: b.outlier,
      rollover: b.rollover,
      issuedOn: b.issued_at ? businessDate(new Date(b.issued_at)) : null,
      dueOn: b.due_on,
      adjustsBillId: b.adjusts_bill_id,
      reason: b.reason,
    },
    account: {
      companyName: b.company_name,
      accountNo: b.account_no,
      name: b.name,
      address: b.address ?? b.customer_address ?? null,
      stationName: b.station_name,
      areaName: b.area_name,
      category: b.category,
      voltageLevel: b.voltage_level,
      managerName: b.manager_name ?? null,
      managerPhone: b.manager_phone ?? null,
    },
    lines: lines.map((l) => ({ code: l.code, quantity: l.quantity, unitPrice: l.unit_price, amountFen: l.amount_fen, detail: l.detail })),
    meters,
    adjustments: adjustments.map((a) => ({ id: a.id, totalFen: a.total_fen, issuedOn: a.issued_at ? businessDate(new Date(a.issued_at)) : null, reason: a.reason })),
    standing,
  });
  return { doc, accountNo: b.account_no, period: b.period, totalFen: b.total_fen };
}

/** The account's statement on the day: this bill's entry (its adjustments included), every open bill with its penalty, the prepaid balance. */
async function standingOf(db: Executor, accountId: number, billId: number, asOf: string): Promise<BillStanding> {
  const statement = await accountStatement(db, accountId, asOf);
  const open = statement.openBills.find((o) => o.billId === billId);
  return {
    asOf,
    open: open ? { principalOpenFen: open.principalOpenFen, penaltyFen: open.penaltyFen, overdueDays: open.overdueDays } : null,
    account: { openBills: statement.openBills, arrearsFen: statement.arrearsFen, penaltyFen: statement.penaltyFen, toPayFen: statement.toPayFen, prepaidFen: statement.prepaidFen },
  };
}

/**
 * Loads the bill in one read-only snapshot, with what is still owed on it on the day (penalty accrued to
 * then), then renders it outside the transaction (rendering takes ~0.2 s).
 */
export async function billPdf(db: Executor, scope: Scope, billId: number, now: Date): Promise<BillPdf> {
  const loaded = await readOnly(db, (trx) => loadBillDocument(trx, scope, billId, businessDate(now)));
  const body = await renderBillPdf(loaded.doc, { now, accountNo: loaded.accountNo, billId });
  return { filename: `bill-${loaded.accountNo}-${loaded.period}-${billId}.pdf`, body, accountNo: loaded.accountNo, period: loaded.period, totalFen: loaded.totalFen };
}

/** A read-only, repeatable-read transaction (or the caller's own, when it passes one). */
export async function readOnly<T>(db: Executor, work: (trx: Executor) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}
