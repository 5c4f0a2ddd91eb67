import { may } from '../../permissions';

/** Bill runs (电费发行): company-level roles watch them; marketing and admin start, approve (审核) and issue (发行). */
export const canViewBillRuns = (role: string | undefined): boolean => may(role, 'billing.view');
export const canRunBills = (role: string | undefined): boolean => may(role, 'billing.run');
