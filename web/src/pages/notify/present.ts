import type { NotificationFilters, NotificationState } from './api';
import { NOTICE_CHANNELS, NOTICE_KINDS, NOTIFICATION_STATES } from './api';

/** antd Tag colours of the delivery states. */
export const STATE_COLORS: Record<NotificationState, string> = {
  queued: 'blue',
  sending: 'processing',
  sent: 'success',
  failed: 'error',
  held: 'warning',
};

const oneOf = <T extends string>(values: readonly T[], v: string | null): T | undefined => (v !== null && (values as readonly string[]).includes(v) ? (v as T) : undefined);

/** The page's filters from its address (?accountId=&kind=&channel=&state=): anything unknown is left out. */
export function filtersOf(params: URLSearchParams): NotificationFilters {
  const id = params.get('accountId');
  const accountId = id !== null && /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : undefined;
  return {
    accountId,
    kind: oneOf(NOTICE_KINDS, params.get('kind')),
    channel: oneOf(NOTICE_CHANNELS, params.get('channel')),
    state: oneOf(NOTIFICATION_STATES, params.get('state')),
  };
}

/** The address of the filters (empty ones left out). */
export function paramsOf(f: NotificationFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}
