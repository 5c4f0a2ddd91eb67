import { may } from '../../permissions';

/** The fee-control screens' checks, from the server's permission table. */
type R = string | undefined;

/** 费控监控 and 大客户余额: every role that sees fee control in its scope. */
export const canViewFeeControl = (role: R) => may(role, 'feecontrol.view');
/** 立即执行, the blackout calendar, retry / cancel of a command, approval requests. */
export const canManageFeeControl = (role: R) => may(role, 'feecontrol.manage');
/** 批准 / 驳回 a disconnection the guards hold. */
export const canApproveDisconnection = (role: R) => may(role, 'feecontrol.approve');
/** A customer's warning amount (预警金额) is part of the account: customers.write. */
export const canSetWarning = (role: R) => may(role, 'customers.write');
