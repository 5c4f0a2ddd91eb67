import { useTranslation } from 'react-i18next';
import { dateTime, DASH, label } from '../../format';
import { yuan } from '../tariffs/money';
import type { Allocation } from './api';
import { yuanInCapitals } from './money';
import './receipt.css';

export interface ReceiptData {
  receiptNo: string;
  accountNo: string;
  accountName: string;
  channel: string;
  channelTxnId: string | null;
  amountFen: number;
  principalFen: number;
  penaltyFen: number;
  prepaidFen: number;
  paidAt: string;
  businessDate: string;
  operatorName: string | null;
  reversed: boolean;
  /** per bill (违约金 / 电费本金) and the prepaid line; null when only the totals are known */
  allocations: Allocation[] | null;
}

/** Where the account stands after the payment (its statement): what is still owed and the prepaid balance. */
export interface OwedAfter {
  asOf: string;
  arrearsFen: number;
  penaltyFen: number;
  toPayFen: number;
  prepaidFen: number;
}

/**
 * 收费凭证: who was paid (company, station), who paid (account no., name), the receipt no., when, by whom,
 * the amount in figures and in 人民币大写, and where the money went per bill. Print-friendly (receipt.css:
 * only this document reaches the paper).
 */
export function Receipt({ data, company, station, owed }: { data: ReceiptData; company: string; station: string | null; owed?: OwedAfter | null }) {
  const { t } = useTranslation();
  const lines = data.allocations ? mergeLines(data.allocations) : null;
  return (
    <div className="receipt" data-testid="receipt" data-receipt-no={data.receiptNo}>
      {data.reversed && (
        <div className="receipt-stamp" data-testid="receipt-reversed">
          {t('payments.receipt.reversed')}
        </div>
      )}
      <h1>{t('payments.receipt.title')}</h1>
      <div className="receipt-issuer" data-testid="receipt-issuer">
        {company}
        {station ? ` · ${station}` : ''}
      </div>
      <table>
        <tbody>
          <tr>
            <th>{t('payments.receipt.receiptNo')}</th>
            <td className="mono" data-testid="receipt-no">
              {data.receiptNo}
            </td>
            <th>{t('payments.receipt.paidAt')}</th>
            <td className="num">{dateTime(data.paidAt)}</td>
          </tr>
          <tr>
            <th>{t('column.accountNo')}</th>
            <td className="mono" data-testid="receipt-account-no">
              {data.accountNo}
            </td>
            <th>{t('column.name')}</th>
            <td data-testid="receipt-account-name">{data.accountName}</td>
          </tr>
          <tr>
            <th>{t('payments.receipt.channel')}</th>
            <td>{label(t, 'payments.channel', data.channel)}</td>
            <th>{t('payments.receipt.operator')}</th>
            <td data-testid="receipt-operator">{data.operatorName ?? (data.channel === 'counter' ? DASH : t('payments.receipt.online'))}</td>
          </tr>
          {data.channelTxnId && data.channel !== 'counter' && (
            <tr>
              <th>{t('payments.receipt.txnId')}</th>
              <td className="mono" colSpan={3} style={{ wordBreak: 'break-all' }}>
                {data.channelTxnId}
              </td>
            </tr>
          )}
          <tr>
            <th>{t('payments.receipt.amountFigures')}</th>
            <td className="num receipt-words" data-testid="receipt-amount">
              ¥{yuan(data.amountFen)}
            </td>
            <th>{t('payments.receipt.businessDate')}</th>
            <td className="num">{data.businessDate}</td>
          </tr>
          <tr>
            <th>{t('payments.receipt.amountWords')}</th>
            <td colSpan={3} className="receipt-words" data-testid="receipt-words">
              {t('payments.receipt.rmb')}
              {yuanInCapitals(data.amountFen)}
            </td>
          </tr>
        </tbody>
      </table>
      <table className="receipt-lines" data-testid="receipt-lines">
        <thead>
          <tr>
            <th>{t('payments.receipt.item')}</th>
            <th className="amount">{t('payments.penalty')}</th>
            <th className="amount">{t('payments.principal')}</th>
            <th className="amount">{t('payments.prepaid')}</th>
            <th className="amount">{t('payments.receipt.subtotal')}</th>
          </tr>
        </thead>
        <tbody>
          {(lines ?? [{ key: 'all', period: null, billId: null, penaltyFen: data.penaltyFen, principalFen: data.principalFen, prepaidFen: data.prepaidFen }]).map((l) => (
            <tr key={l.key} data-testid="receipt-line" data-bill-id={l.billId ?? ''}>
              <td>{l.key === 'all' ? t('payments.receipt.allBills') : l.period ? t('payments.receipt.billOf', { period: l.period }) : l.billId === null ? t('payments.receipt.toPrepaid') : t('payments.receipt.billNo', { id: l.billId })}</td>
              <td className="amount">{l.penaltyFen ? yuan(l.penaltyFen) : DASH}</td>
              <td className="amount">{l.principalFen ? yuan(l.principalFen) : DASH}</td>
              <td className="amount">{l.prepaidFen ? yuan(l.prepaidFen) : DASH}</td>
              <td className="amount">{yuan(l.penaltyFen + l.principalFen + l.prepaidFen)}</td>
            </tr>
          ))}
          <tr className="receipt-total">
            <td>{t('payments.receipt.total')}</td>
            <td className="amount">{yuan(data.penaltyFen)}</td>
            <td className="amount">{yuan(data.principalFen)}</td>
            <td className="amount">{yuan(data.prepaidFen)}</td>
            <td className="amount" data-testid="receipt-total">
              {yuan(data.amountFen)}
            </td>
          </tr>
        </tbody>
      </table>
      {owed && (
        <table className="receipt-owed" data-testid="receipt-owed">
          <tbody>
            <tr>
              <th>{t('payments.receipt.owedAfter', { date: owed.asOf })}</th>
              <td colSpan={3} className="num" data-testid="receipt-owed-total">
                {owed.toPayFen > 0
                  ? t('payments.receipt.owedSum', { arrears: yuan(owed.arrearsFen), penalty: yuan(owed.penaltyFen), total: yuan(owed.toPayFen) })
                  : t('payments.receipt.owedNone')}
              </td>
            </tr>
            {owed.toPayFen > 0 && (
              <tr>
                <th>{t('payments.receipt.amountWords')}</th>
                <td colSpan={3} className="receipt-words" data-testid="receipt-owed-words">
                  {t('payments.receipt.rmb')}
                  {yuanInCapitals(owed.toPayFen)}
                </td>
              </tr>
            )}
            <tr>
              <th>{t('payments.receipt.prepaidBalance')}</th>
              <td colSpan={3} className="num" data-testid="receipt-prepaid-balance">
                ¥{yuan(owed.prepaidFen)}
              </td>
            </tr>
          </tbody>
        </table>
      )}
      <div className="receipt-foot">
        <div>{t('payments.receipt.keep')}</div>
        <div className="receipt-sign">{t('payments.receipt.cashierSign')}</div>
      </div>
    </div>
  );
}

/**
 * One line per bill (and one for the prepaid part). A reversed payment's negated lines are left out: the
 * receipt shows what was paid, the 已冲正 stamp says it was undone.
 */
function mergeLines(allocations: Allocation[]) {
  const byKey = new Map<string, { key: string; billId: number | null; period: string | null; penaltyFen: number; principalFen: number; prepaidFen: number }>();
  for (const a of allocations) {
    if (a.penaltyFen < 0 || a.principalFen < 0 || a.prepaidFen < 0) continue;
    const key = a.billId === null ? 'prepaid' : `bill-${a.billId}`;
    const line = byKey.get(key) ?? { key, billId: a.billId, period: a.period, penaltyFen: 0, principalFen: 0, prepaidFen: 0 };
    line.penaltyFen += a.penaltyFen;
    line.principalFen += a.principalFen;
    line.prepaidFen += a.prepaidFen;
    byKey.set(key, line);
  }
  return [...byKey.values()];
}
