import { Input, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { label } from '../../format';
import { yuan } from '../tariffs/money';
import { parseYuanInput, yuanInCapitals, type YuanInput } from './money';
import type { BillPayState } from './statement';

/** Small pieces shared by the counter, the receipt, the account page and the approvals. */

export const CHANNEL_COLORS: Record<string, string> = { counter: 'gold', wechatpay: 'green', alipay: 'blue', gridapp: 'cyan', bank: 'purple' };

export function ChannelTag({ channel }: { channel: string }) {
  const { t } = useTranslation();
  return <Tag color={CHANNEL_COLORS[channel] ?? 'default'}>{label(t, 'payments.channel', channel)}</Tag>;
}

const PAY_STATE_COLORS: Record<BillPayState, string> = { paid: 'success', partial: 'warning', unpaid: 'error', none: 'default' };

export function BillPayStateTag({ state }: { state: BillPayState }) {
  const { t } = useTranslation();
  if (state === 'none') return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Tag color={PAY_STATE_COLORS[state]} data-testid="bill-pay-state" data-state={state}>
      {t(`payments.billState.${state}`)}
    </Tag>
  );
}

export const APPROVAL_KIND_COLORS: Record<string, string> = { 'payment.reversal': 'volcano', 'prepaid.refund': 'geekblue', 'penalty.waiver': 'gold' };
export const APPROVAL_STATUS_COLORS: Record<string, string> = { pending: 'processing', approved: 'success', rejected: 'error' };

/** A request kind as a translation key segment: 'payment.reversal' → 'payment_reversal' (a dot would nest). */
export const kindKey = (kind: string) => kind.replace(/\./g, '_');

export function ApprovalKindTag({ kind, t }: { kind: string; t: TFunction }) {
  return <Tag color={APPROVAL_KIND_COLORS[kind] ?? 'default'}>{label(t, 'approvals.kind', kindKey(kind))}</Tag>;
}

/** Fen as 元 with the unit, right-aligned figures. */
export function Yuan({ fen, strong, testId, danger }: { fen: number; strong?: boolean; testId?: string; danger?: boolean }) {
  const text = `${yuan(fen)}`;
  const style = danger && fen > 0 ? { color: '#cf1322' } : undefined;
  return strong ? (
    <b className="num" style={style} data-testid={testId}>
      {text}
    </b>
  ) : (
    <span className="num" style={style} data-testid={testId}>
      {text}
    </span>
  );
}

/** The message for a refused amount. */
export function amountErrorText(t: TFunction, r: YuanInput, max?: number): string | null {
  if (r.ok) return null;
  return t(`payments.amountError.${r.error}`, { max: max === undefined ? '' : yuan(max) });
}

/**
 * An amount in 元 as typed (text, never a number input: "12.30" stays "12.30"), with the 大写 of what it
 * reads as, or why it is refused, underneath.
 */
export function AmountInput({
  value,
  onChange,
  max,
  size = 'large',
  testId = 'amount-input',
  autoFocus,
  onPressEnter,
}: {
  value: string;
  onChange: (text: string) => void;
  max?: number;
  size?: 'large' | 'middle';
  testId?: string;
  autoFocus?: boolean;
  onPressEnter?: () => void;
}) {
  const { t } = useTranslation();
  const parsed = parseYuanInput(value, max === undefined ? {} : { max });
  const error = value.trim() === '' ? null : amountErrorText(t, parsed, max);
  return (
    <div>
      <Input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        prefix="¥"
        suffix={t('payments.yuan')}
        size={size}
        inputMode="decimal"
        autoComplete="off"
        status={error ? 'error' : undefined}
        aria-label={t('payments.amount')}
        autoFocus={autoFocus}
        onPressEnter={onPressEnter}
        data-testid={testId}
        style={{ fontVariantNumeric: 'tabular-nums' }}
      />
      <div style={{ minHeight: 22, marginTop: 4, fontSize: 13 }} data-testid={`${testId}-words`}>
        {error ? (
          <Typography.Text type="danger">{error}</Typography.Text>
        ) : parsed.ok ? (
          <Typography.Text type="secondary">
            {t('payments.capitals')}：{yuanInCapitals(parsed.fen)}
          </Typography.Text>
        ) : null}
      </div>
    </div>
  );
}
