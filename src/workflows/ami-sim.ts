import type { Db } from '../db/connect.js';
import { amiTopic, connectMqtt, meterOfTopic } from '../platform/mqtt.js';
import { addDays } from '../shared/business-time.js';
import type { AckMessage, CommandMessage } from '../modules/feecontrol/index.js';
import { latestDailyAdvance, type IncomingRead } from '../modules/metering/index.js';

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
  /** publishes frozen reads, each meter's on its own topic (QoS 1) */
  publishReads(reads: readonly IncomingRead[]): void;
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
    publishReads(reads) {
      const byMeter = new Map<string, IncomingRead[]>();
      for (const r of reads) byMeter.set(r.meterNo, [...(byMeter.get(r.meterNo) ?? []), r]);
      for (const [meterNo, list] of byMeter) client.publish(amiTopic(o.prefix, meterNo, 'reads'), JSON.stringify(list), { qos: 1 });
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      await client.endAsync();
    },
  };
}

/**
 * The frozen reads a head-end would report for each smart meter from the day after its latest read up to
 * `today`, advancing each register by its average of the last two weeks (a cut meter does not advance).
 */
export async function projectedReads(db: Db, today: string, cut: ReadonlySet<string> = new Set()): Promise<IncomingRead[]> {
  const out: IncomingRead[] = [];
  for (const m of await latestDailyAdvance(db, addDays(today, 1))) {
    const base = { total: cents(m.total), peak: m.peak === null ? null : cents(m.peak), flat: m.flat === null ? null : cents(m.flat), valley: m.valley === null ? null : cents(m.valley) };
    const step = cut.has(m.meter_no) ? { total: 0, peak: 0, flat: 0, valley: 0 } : { total: 0, peak: Number(m.d_peak ?? 0), flat: Number(m.d_flat ?? 0), valley: Number(m.d_valley ?? 0) };
    // a TOU meter's total is the sum of its registers, so it stays consistent to the hundredth
    step.total = base.peak === null ? (cut.has(m.meter_no) ? 0 : Number(m.d_total)) : step.peak + step.flat + step.valley;
    for (let day = addDays(m.read_on, 1), n = 1; day <= today; day = addDays(day, 1), n++) {
      const at = (v: number | null, d: number) => (v === null ? null : ((v + d * n) / 100).toFixed(2));
      out.push({ meterNo: m.meter_no, readOn: day, total: at(base.total, step.total)!, peak: at(base.peak, step.peak), flat: at(base.flat, step.flat), valley: at(base.valley, step.valley) });
    }
  }
  return out;
}

const cents = (v: string) => Math.round(Number(v) * 100);
