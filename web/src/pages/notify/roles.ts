import { may } from '../../permissions';

/** The outbox page and its "send now" button, from the server's permission table. */
type R = string | undefined;

/** 通知 menu and page: the outbox of the accounts in scope. */
export const canViewNotifications = (role: R) => may(role, 'notifications.view');
/** 立即发送: runs the delivery once for the company (fee-control managers). */
export const canDeliverNotifications = (role: R) => may(role, 'feecontrol.manage');
