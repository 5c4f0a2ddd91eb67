import { Tag } from 'antd';
import type { TFunction } from 'i18next';
import i18n from '../../i18n';
import type { BillRunException, BillRunStatus, BillSummary } from '../../api/types';
import { durationParts } from './run-state';
import { problemLine, type FieldProblem } from '../tariffs/problems';

/** Small pieces shared by the bill-run console and the customer page's bills. */

const RUN_STATUS_COLORS: Record<BillRunStatus, string> = {
  rating: 'processing',
  review: 'warning',
  approved: 'cyan',
  issuing: 'processing',
  issued: 'success',
  failed: 'error',
};

export function RunStatusTag({ status, t }: { status: BillRunStatus; t: TFunction }) {
  return (
    <Tag color={RUN_STATUS_COLORS[status] ?? 'default'} data-testid="run-status" data-status={status}>
      {t(`billing.runStatus.${status}`, { defaultValue: status })}
    </Tag>
  );
}

export function BillStatusTag({ bill, t }: { bill: Pick<BillSummary, 'status'>; t: TFunction }) {
  return <Tag color={bill.status === 'issued' ? 'success' : 'default'}>{t(`billing.billStatus.${bill.status}`, { defaultValue: bill.status })}</Tag>;
}

export function BillKindTag({ bill, t }: { bill: Pick<BillSummary, 'kind'>; t: TFunction }) {
  return bill.kind === 'adjustment' ? <Tag color="purple">{t('billing.billKind.adjustment')}</Tag> : <Tag>{t('billing.billKind.regular')}</Tag>;
}

/** "1 分 05 秒" / "1 min 05 s"; with `tenths`, short spans to a tenth of a second ("0.4 秒"). */
export function duration(t: TFunction, seconds: number, tenths = false): string {
  if (tenths && seconds < 9.95) return t('billing.duration.s', { s: (Math.round(Math.max(0, seconds) * 10) / 10).toFixed(1) });
  const { h, m, s } = durationParts(seconds);
  if (h > 0) return t('billing.duration.hm', { h, m: String(m).padStart(2, '0') });
  if (m > 0) return t('billing.duration.ms', { m, s: String(s).padStart(2, '0') });
  return t('billing.duration.s', { s });
}

/** An exception kind in words (the code itself when the translation does not know it yet). */
export function exceptionKind(t: TFunction, kind: string): string {
  return i18n.exists(`billing.exceptionKind.${kind}`) ? t(`billing.exceptionKind.${kind}`) : kind;
}

/**
 * Figures each exception kind's sentence needs from its detail. Kinds not listed (missing_read,
 * rating_refused) say something specific to the account: the server's own message is shown for them.
 */
const DETAIL_FIELDS: Record<string, string[]> = {
  usage_high: ['kwh', 'averageKwh', 'months'],
  usage_low: ['kwh', 'averageKwh', 'months'],
  usage_zero: ['averageKwh', 'months'],
  register_backwards: ['register', 'previous', 'current'],
  estimated_usage: ['kwh'],
  no_meter: [],
  no_previous_read: [],
  tou_registers_missing: [],
  estimated_read: [],
  rollover: [],
};

/** What an exception says, in the UI's language when the kind and its figures are known; else the server's message. */
export function exceptionDetail(t: TFunction, e: Pick<BillRunException, 'kind' | 'detail'>): string {
  const key = `billing.exceptionDetail.${e.kind}`;
  const d = e.detail ?? {};
  const fields = DETAIL_FIELDS[e.kind];
  if (fields && fields.every((f) => d[f] !== undefined && d[f] !== null) && i18n.exists(key)) {
    const values = Object.fromEntries(fields.map((f) => [f, f === 'register' ? t(`meter.register.${String(d[f])}`, { defaultValue: String(d[f]) }) : String(d[f])]));
    return t(key, values);
  }
  // a refusal of the rating engine: its problems in words, as the quote form shows them
  const errors = Array.isArray(d.errors) ? (d.errors as FieldProblem[]) : [];
  if (errors.length && errors.every((p) => typeof p.field === 'string')) return errors.map((p) => problemLine(t, p)).join('；');
  if (typeof d.message === 'string' && d.message) return d.message;
  return Object.keys(d).length ? JSON.stringify(d) : '—';
}

/** The server's message, when it is not what is already shown (a tooltip for the curious). */
export function exceptionMessage(e: Pick<BillRunException, 'detail'>): string | undefined {
  return typeof e.detail?.message === 'string' ? e.detail.message : undefined;
}
