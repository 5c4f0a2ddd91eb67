import type { Db } from '../../../db/connect.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError } from '../../../shared/errors.js';
import { accountStatement } from '../../payments/index.js';
import { maskedNameOf, nameMatches } from '../domain/orders.js';
import { issuePayToken } from '../domain/pay-token.js';
import { findAccountByNo } from '../channels.repository.js';
import type { Lookup, LookupInput } from '../channels.types.js';
import { configuredChannels, type ChannelKeys } from './channel-keys.js';

/**
 * The public payment page's first step: an account number and the customer's full registered name
 * (the page then shows it masked). A wrong number and a wrong name answer alike, so the lookup tells
 * nothing about which accounts exist. The answer carries a pay token for that account.
 */
export async function payLookup(db: Db, keys: ChannelKeys, input: LookupInput, now: Date): Promise<Lookup> {
  const account = await findAccountByNo(db, input.accountNo.trim());
  if (!account || !nameMatches(input.name, account.customer_name)) throw new AppError('NOT_FOUND', 'no account with this number and name');
  const statement = await accountStatement(db, account.id, businessDate(now));
  const { token, expiresAt } = issuePayToken(keys.payTokenSecret, account.id, now);
  return {
    accountId: account.id,
    accountNo: account.account_no,
    maskedName: maskedNameOf(account.customer_name, account.customer_kind),
    arrearsFen: statement.arrearsFen,
    penaltyFen: statement.penaltyFen,
    prepaidFen: statement.prepaidFen,
    toPayFen: statement.toPayFen,
    openBills: statement.openBills.map((b) => ({ billId: b.billId, period: b.period, dueOn: b.dueOn, principalDueFen: b.principalDueFen, principalOpenFen: b.principalOpenFen, penaltyFen: b.penaltyFen })),
    channels: configuredChannels(keys),
    payToken: token,
    payTokenExpiresAt: expiresAt.toISOString(),
  };
}
