import { csvCell } from '../../../shared/csv.js';
import { yuanOf } from '../../../shared/money.js';

/**
 * The result file (回盘处理结果): one line per line of the imported file, in file order —
 *
 *   line_no,bank_txn_id,account_no,amount,result,reason,payment_id
 *   1,ICBC20261120000001,0000012345,128.40,accepted,,812345
 *   2,ICBC20261120000002,0000012346,56.00,rejected,bank_failed: 余额不足,
 *
 * UTF-8 without BOM, LF line ends, cells as `shared/csv.ts` writes them (quoted where needed, formulas as text). `amount` in 元 (empty when
 * the line's amount could not be read); `reason` is a code of REJECT_REASONS, with ": detail" when there
 * is one; `payment_id` is the payment the line became (accepted lines only).
 */
export const RESULT_COLUMNS = ['line_no', 'bank_txn_id', 'account_no', 'amount', 'result', 'reason', 'payment_id'] as const;

export interface ResultLine {
  lineNo: number;
  txnId: string | null;
  accountNo: string | null;
  amountFen: number | null;
  accepted: boolean;
  reason: string | null;
  paymentId: number | null;
}

export const RESULT_HEADER = `${RESULT_COLUMNS.join(',')}\n`;

export function resultLine(l: ResultLine): string {
  return [
    String(l.lineNo),
    csvCell(l.txnId),
    csvCell(l.accountNo),
    l.amountFen === null ? '' : yuanOf(l.amountFen),
    l.accepted ? 'accepted' : 'rejected',
    csvCell(l.reason),
    l.paymentId === null ? '' : String(l.paymentId),
  ].join(',') + '\n';
}
