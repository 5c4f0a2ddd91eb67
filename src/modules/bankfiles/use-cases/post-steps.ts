import { CopyTextBuffer } from '../../../db/copy-text.js';
import type { BankBatchRow, StepLine } from '../bankfiles.repository.js';
import { bankChannelTxnId, paidAtOf } from '../domain/debit-file.js';
import { reasonText } from '../domain/reasons.js';

/**
 * Bankfiles' part of a posting step (`workflows/import-bank-file.ts` runs the steps): the payments of its
 * debited lines, and its result lines from the payments core's outcomes.
 */

/** A debited line as a payment for the payments core (its `PaymentIntake`). */
export interface BankPayment {
  accountId: number;
  channel: 'bank';
  channelTxnId: string;
  amountFen: number;
  paidAt: Date;
  bankBatchId: number;
  operatorId: number | null;
}

/** The payments core's answer for a payment (its `ApplyOutcome`). */
export type PostOutcome = { status: 'applied' | 'duplicate'; paymentId: number } | { status: 'conflict'; paymentId: number };

/** The step's lines that passed the checks (in file order), and their payments. */
export function stepPayments(batch: BankBatchRow, lines: readonly StepLine[], operatorId: number | null): { postable: StepLine[]; payments: BankPayment[] } {
  const postable = lines.filter((l) => l.reason === null);
  const paidAt = new Map<string, Date>(); // a file has one debit day or a few: one Date each
  const payments: BankPayment[] = postable.map((l) => {
    let at = paidAt.get(l.debitDate!);
    if (!at) paidAt.set(l.debitDate!, (at = paidAtOf(l.debitDate!)));
    return { accountId: l.accountId!, channel: 'bank', channelTxnId: bankChannelTxnId(batch.bank, l.txn!), amountFen: l.amountFen!, paidAt: at, bankBatchId: batch.id, operatorId };
  });
  return { postable, payments };
}

/**
 * Every line of the step as a result line (COPY text in RESULT_LINE_COLUMNS order): a rejected line keeps its
 * reason; a posted one gets its payment. With what they add up to, for the batch's counters. `postable` are
 * the lines without a reason, in file order, and `outcomes` the core's answers for them in the same order.
 */
export function stepResults(batchId: number, lines: readonly StepLine[], postable: readonly StepLine[], outcomes: readonly PostOutcome[]) {
  if (outcomes.length !== postable.length) throw new Error(`the payments core answered ${outcomes.length} outcomes for ${postable.length} payments`);
  const w = new CopyTextBuffer(Math.max(1 << 12, lines.length * 96));
  let accepted = 0;
  let acceptedFen = 0;
  let next = 0; // the next postable line and its outcome
  for (const l of lines) {
    const o = next < postable.length && postable[next] === l ? outcomes[next++] : undefined;
    const applied = o?.status === 'applied';
    if (applied) {
      accepted++;
      acceptedFen += l.amountFen!;
    }
    const reason = l.reason ?? (o ? rejectionOf(o) : 'not posted');
    w.int(batchId).int(l.lineNo).textOrNull(l.accountNo).intOrNull(l.accountId).intOrNull(l.amountFen).textOrNull(l.txn).bool(applied).textOrNull(reason);
    (applied ? w.int(o.paymentId) : w.nul()).endRow();
  }
  if (next !== postable.length) throw new Error(`${postable.length - next} posted lines not found among the step's lines`);
  return { bytes: w.bytes(), accepted, rejected: lines.length - accepted, acceptedFen };
}

/** What the core's outcome means for the line: null = posted; otherwise the reason it was not. */
function rejectionOf(o: PostOutcome): string | null {
  if (o.status === 'applied') return null;
  if (o.status === 'duplicate') return reasonText('already_applied', `payment ${o.paymentId}`);
  return reasonText('txn_conflict', `payment ${o.paymentId}`);
}
