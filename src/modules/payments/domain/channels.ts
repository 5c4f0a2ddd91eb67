/** Where money comes in. Each channel has its own clearing book (DESIGN §5): clearing.<channel>. */
export const CHANNELS = ['counter', 'wechatpay', 'alipay', 'gridapp', 'bank'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ONLINE_CHANNELS = ['wechatpay', 'alipay', 'gridapp'] as const;
export type OnlineChannel = (typeof ONLINE_CHANNELS)[number];

export function isChannel(v: string): v is Channel {
  return (CHANNELS as readonly string[]).includes(v);
}

export function clearingBook(channel: Channel): string {
  return `clearing.${channel}`;
}
