import { amiTopic, connectMqtt, meterOfTopic } from '../platform/mqtt.js';
import type { AckMessage, CommandMessage } from '../modules/feecontrol/index.js';

/**
 * A simulated head-end (`granary ami-sim`, DESIGN §7): answers each command on `<prefix>/ami/+/cmd` after a
 * delay, failing or answering twice at the given rates — against the embedded broker or any other. Keeps
 * the meters' relay state so tests can see what was cut.
 */
export interface HeadEndOptions {
  url: string;
  prefix: string;
  /** answer delay, ms (uniform between min and max) */
  delayMs?: { min: number; max: number };
  /** share of commands answered `failed` (0–1) */
  failRate?: number;
  /** share of answers sent twice (0–1) */
  duplicateRate?: number;
  /** share of commands never answered (0–1) */
  silentRate?: number;
  random?: () => number;
}

export interface HeadEnd {
  /** meter number → relay closed (true) or open; meters never commanded are absent */
  relays: Map<string, boolean>;
  /** commands received, in order */
  received: { meterNo: string; message: CommandMessage }[];
  stop(): Promise<void>;
}

export async function startHeadEnd(o: HeadEndOptions): Promise<HeadEnd> {
  const random = o.random ?? Math.random;
  const client = await connectMqtt(o.url, `granary-ami-sim-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const relays = new Map<string, boolean>();
  const received: HeadEnd['received'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };
  client.on('message', (topic, payload) => {
    const meterNo = meterOfTopic(o.prefix, topic);
    if (!meterNo || !topic.endsWith('/cmd')) return;
    let message: CommandMessage;
    try {
      message = JSON.parse(payload.toString('utf8')) as CommandMessage;
    } catch {
      return;
    }
    received.push({ meterNo, message });
    if (random() < (o.silentRate ?? 0)) return;
    const delay = o.delayMs ? o.delayMs.min + random() * (o.delayMs.max - o.delayMs.min) : 0;
    const failed = random() < (o.failRate ?? 0);
    const twice = random() < (o.duplicateRate ?? 0);
    later(delay, () => {
      if (!failed) relays.set(meterNo, message.action === 'reconnect');
      const ack: AckMessage = failed ? { commandId: message.commandId, status: 'failed', at: new Date().toISOString(), error: 'relay did not move' } : { commandId: message.commandId, status: 'done', at: new Date().toISOString() };
      const send = () => client.publish(amiTopic(o.prefix, meterNo, 'ack'), JSON.stringify(ack), { qos: 1 });
      send();
      if (twice) later(5, send);
    });
  });
  await client.subscribeAsync(`${o.prefix}/ami/+/cmd`, { qos: 1 });
  return {
    relays,
    received,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await client.endAsync();
    },
  };
}
