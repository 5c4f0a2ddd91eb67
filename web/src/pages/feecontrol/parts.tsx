import { Badge, Tag, Tooltip, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { DASH, label } from '../../format';
import { yuan } from '../tariffs/money';
import type { FeeState, MeterCommand, Protection } from './api';
import { COMMAND_STATE_COLORS, daysLeftLevel, reasonParts, STATE_COLORS, type ReasonParts } from './model';
import type { StreamState } from './stream';

/** Small pieces shared by the fee-control screens and the customer page's card. */

export function StateTag({ state }: { state: FeeState }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="fee-state" data-state={state}>
      {label(t, 'feeControl.state', state)}
    </Tag>
  );
}

const PROTECTION_COLORS: Record<Protection, string> = { medical: 'magenta', important: 'red', vulnerable: 'orange', heating_company: 'volcano', heating_season: 'gold' };

export function ProtectionTags({ protections }: { protections: readonly Protection[] }) {
  const { t } = useTranslation();
  if (protections.length === 0) return <Typography.Text type="secondary">{DASH}</Typography.Text>;
  return (
    <>
      {protections.map((p) => (
        <Tag key={p} color={PROTECTION_COLORS[p]} style={{ marginInlineEnd: 2 }}>
          {label(t, 'feeControl.protection', p)}
        </Tag>
      ))}
    </>
  );
}

export function CommandStateTag({ state }: { state: string }) {
  const { t } = useTranslation();
  return <Tag color={COMMAND_STATE_COLORS[state] ?? 'default'}>{label(t, 'feeControl.commandState', state)}</Tag>;
}

export function ActionTag({ action }: { action: MeterCommand['action'] }) {
  const { t } = useTranslation();
  return <Tag color={action === 'disconnect' ? 'red' : 'green'}>{label(t, 'feeControl.action', action)}</Tag>;
}

function reasonText(t: TFunction, parts: ReasonParts | string): string {
  if (typeof parts === 'string') return parts;
  const p: Record<string, string> = { ...parts.params };
  if (p.kind !== undefined) p.kind = label(t, 'feeControl.blackoutKind', p.kind);
  if (p.protection !== undefined) p.protection = label(t, 'feeControl.protection', p.protection);
  if (p.state !== undefined) p.state = label(t, 'feeControl.commandState', p.state);
  if (p.event !== undefined) p.event = label(t, 'feeControl.eventKind', p.event.replace(/\./g, '_'));
  if (p.availableFen !== undefined) p.available = yuan(Number(p.availableFen));
  if (p.warnFen !== undefined) p.warn = yuan(Number(p.warnFen));
  if (parts.inner !== undefined) p.reason = reasonText(t, parts.inner);
  return t(`feeControl.reasons.${parts.key}`, p);
}

/** A reason from the server (the guards, the state machine) in the UI's language; unknown ones as they came. */
export function Reason({ text, type }: { text: string | null; type?: 'warning' | 'secondary' }) {
  const { t } = useTranslation();
  if (!text) return <>{DASH}</>;
  const parts = reasonParts(text);
  return (
    <Typography.Text type={type} title={text} data-testid="fee-reason">
      {parts ? reasonText(t, parts) : text}
    </Typography.Text>
  );
}

/** Fen as 元, red below zero. */
export function Money({ fen, testId }: { fen: number | null; testId?: string }) {
  if (fen === null) return <span className="num">{DASH}</span>;
  return (
    <span className="num" style={fen < 0 ? { color: '#cf1322' } : undefined} data-testid={testId}>
      {yuan(fen)}
    </span>
  );
}

/** Days left, coloured by urgency (purchase-before-use warns from 10 days, RULES §8.5). */
export function DaysLeft({ days, availableFen, warnDays = 10 }: { days: number | null; availableFen: number; warnDays?: number }) {
  const { t } = useTranslation();
  const level = daysLeftLevel(days, availableFen, warnDays);
  const color = level === 'danger' ? '#cf1322' : level === 'warning' ? '#d48806' : undefined;
  if (days === null) {
    return (
      <Tooltip title={t('feeControl.noForecast')}>
        <span className="num">{DASH}</span>
      </Tooltip>
    );
  }
  return (
    <span className="num" style={{ color, fontWeight: level === 'ok' ? undefined : 600 }} data-testid="days-left" data-level={level}>
      {t('feeControl.days', { n: days })}
    </span>
  );
}

/** Whether the page follows the event stream now. */
export function LiveBadge({ state }: { state: StreamState }) {
  const { t } = useTranslation();
  const status = state === 'open' ? 'processing' : state === 'connecting' ? 'warning' : 'default';
  return (
    <Tooltip title={t(`feeControl.live.${state}Help`)}>
      <Badge status={status} text={<span style={{ fontSize: 12, fontWeight: 'normal' }}>{t(`feeControl.live.${state}`)}</span>} data-testid="fee-live" data-state={state} />
    </Tooltip>
  );
}

export type T = TFunction;
