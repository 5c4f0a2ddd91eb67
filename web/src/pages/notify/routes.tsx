import { lazy } from 'react';

/** /notifications: 通知 — the outbox (loads when first opened). */
export const NotificationsPage = lazy(() => import('./NotificationsPage').then((m) => ({ default: m.NotificationsPage })));
