import { may, type Permission } from '../../permissions';

/** Menu entries and buttons of payments, reconciliation and bank files, from the server's permission table. */
type R = string | undefined;
const holds = (permission: Permission) => (role: R) => may(role, permission);

/** 坐收 at the counter. */
export const canCollect = holds('payments.collect');
/** 退费 / 违约金减免 requests (approved one level up). */
export const canRequest = holds('payments.request');
/** 冲正申请 on a payment: offered to those who both request and collect (a counter payment's cashier, the station head). */
export const canRequestReversal = (role: R) => may(role, 'payments.request') && may(role, 'payments.collect');
/** 审批 menu: every role — requesters follow their requests, approvers decide (the server lists them to anyone in scope). */
export const canSeeApprovals = (role: R) => role !== undefined;
/** 对账: the channel-day report; import and review. */
export const canViewReconciliation = holds('reconciliation.view');
export const canManageReconciliation = holds('reconciliation.manage');
/** 代扣文件: see the batches; import. */
export const canViewBankFiles = holds('bankfiles.view');
export const canImportBankFiles = holds('bankfiles.import');
