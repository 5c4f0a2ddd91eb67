import { randomBytes, randomInt } from 'node:crypto';
import { businessDate } from '../../../shared/business-time.js';
import { invalid } from '../../../shared/errors.js';
import { buildAlipayNotification } from '../domain/alipay.js';
import { buildGridappNotification } from '../domain/gridapp.js';
import type { OnlineChannel } from '../domain/refusal.js';
import { beijingRfc3339, buildWechatpayNotification, wechatpayTransaction } from '../domain/wechatpay.js';
import type { OrderRow } from '../channels.repository.js';
import { canSandboxSign, type ChannelKeys } from './channel-keys.js';

/** Digits for made-up channel transaction ids. */
function digits(n: number): string {
  let s = '';
  while (s.length < n) s += String(randomInt(0, 1e9)).padStart(9, '0');
  return s.slice(0, n);
}

/** A transaction id shaped like the channel's own (WeChat: 28 digits from 42…; Alipay: date + 22001 + digits). */
export function sandboxTxnId(channel: OnlineChannel, now: Date): string {
  const day = businessDate(now).replace(/-/g, '');
  if (channel === 'wechatpay') return `4200${digits(24)}`;
  if (channel === 'alipay') return `${day}22001${digits(15)}`;
  return `GA${day}${randomBytes(8).toString('hex').toUpperCase()}`;
}

/**
 * The demo sandbox checkout: the notification the channel would send for this order once paid, signed
 * with the demo's own channel keys exactly as the channel signs (domain/*.ts build functions), ready to
 * be delivered to our notify route so it passes through the same verification as a real one.
 */
export function sandboxDelivery(keys: ChannelKeys, order: Pick<OrderRow, 'out_trade_no' | 'amount_fen' | 'channel'>, now: Date): { channel: OnlineChannel; headers: Record<string, string>; body: string } {
  const channel = order.channel as OnlineChannel;
  if (!canSandboxSign(keys, channel)) throw invalid('channel', `the sandbox cannot sign for ${channel}: it is configured with the real channel's keys`);
  const txnId = sandboxTxnId(channel, now);
  if (channel === 'wechatpay') {
    const w = keys.wechatpay!;
    const transaction = wechatpayTransaction({ mchid: w.mchid, appid: w.appid, outTradeNo: order.out_trade_no, transactionId: txnId, amountFen: order.amount_fen, paidAt: now });
    return { channel, ...buildWechatpayNotification({ platformPrivateKey: w.platformPrivateKey!, platformSerial: w.platformSerial, apiV3Key: w.apiV3Key, transaction, now }) };
  }
  if (channel === 'alipay') {
    const a = keys.alipay!;
    const body = buildAlipayNotification({ privateKey: a.privateKey!, appId: a.appId, sellerId: a.sellerId, outTradeNo: order.out_trade_no, tradeNo: txnId, amountFen: order.amount_fen, paidAt: now, now });
    return { channel, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body };
  }
  const body = { outTradeNo: order.out_trade_no, txnId, amountFen: order.amount_fen, paidAt: beijingRfc3339(now), status: 'PAID' };
  return { channel, ...buildGridappNotification({ secret: keys.gridapp!.secret, body, now }) };
}
