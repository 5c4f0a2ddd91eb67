import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { Page } from '../../api/types';

/** The notification outbox API (通知): src/modules/notify/notify.types.ts. Phones arrive masked. */

export { NOTICE_CHANNELS, NOTICE_KINDS, NOTIFICATION_STATES, type NoticeChannel, type NoticeKind, type NotificationState } from '../../../../src/modules/notify/domain/kinds';
export type { DeliverResult, Notification } from '../../../../src/modules/notify/notify.types';
import type { DeliverResult, Notification, NotificationQuery } from '../../../../src/modules/notify/notify.types';

export type NotificationFilters = Pick<NotificationQuery, 'accountId' | 'kind' | 'channel' | 'state'>;

export const notifyKeys = { list: (f: NotificationFilters) => ['notifications', f] as const, all: ['notifications'] as const };

export function useNotifications(filters: NotificationFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: notifyKeys.list(filters),
    queryFn: ({ pageParam, signal }) => api<Page<Notification>>(withQuery('/notifications', { ...filters, limit: 50, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    meta: { silentStatuses: [403] } satisfies ErrorMeta,
  });
}

/** POST /notifications/deliver: "send now" (what the scheduled job does), then the list again. */
export function useDeliverNow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<DeliverResult>('/notifications/deliver', { method: 'POST', body: {} }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notifyKeys.all }),
  });
}
