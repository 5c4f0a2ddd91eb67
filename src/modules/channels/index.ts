/** Online payment channels: payment orders, WeChat Pay / Alipay / grid app callbacks, the public payment page and the demo sandbox. */
export { channelsRoutes } from './channels.routes.js';
export { loadChannelKeys, configuredChannels, DEMO_MERCHANT, type ChannelKeys } from './use-cases/channel-keys.js';
export {
  acknowledgeDelivery,
  claimOrder,
  logRefusal,
  markOrderPaid,
  paymentOfPaidOrder,
  txnConflict,
  verifyDelivery,
  type ChannelFlows,
  type Delivery,
  type NotifyResult,
} from './use-cases/receive-notification.js';
export { sandboxDelivery, sandboxTxnId } from './use-cases/sandbox.js';
export { createPaymentOrder, getPaymentOrder } from './use-cases/payment-orders.js';
export type { Lookup, OrderInput, PaymentOrder, SandboxView } from './channels.types.js';
export { gridappSignature } from './domain/gridapp.js';
export { REFUSAL_KINDS, Refusal, type OnlineChannel, type PaidNotice, type RefusalKind } from './domain/refusal.js';
