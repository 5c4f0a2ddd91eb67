import type { MqttClient } from 'mqtt';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/connect.js';
import { amiTopic, connectMqtt, meterOfTopic, startEmbeddedBroker, type EmbeddedBroker } from '../platform/mqtt.js';
import { startJobs, type JobQueue } from '../platform/jobs.js';
import type { Clock } from '../shared/clock.js';
import type { AppDeps } from '../platform/deps.js';
import { addDays, businessDate } from '../shared/business-time.js';
import { loadRatingTariffs } from '../modules/billing/index.js';
import { consumeEvents, subscribeEvents, type Subscription } from '../modules/ledger/index.js';
import { ingestReads, parseReadsPayload, type IncomingRead } from '../modules/metering/index.js';
import { deliverDue, enqueueNotices } from '../modules/notify/index.js';
import {
  commandsInFlight,
  recordFeeControlRun,
  dispatchDue,
  feeControlConsumer,
  handleAck,
  runFeeControl,
  type AckMessage,
  type CommandSettings,
  type FeeControlDeps,
  type RunSummary,
} from '../modules/feecontrol/index.js';

/**
 * Prepaid fee control, wired (issue 18): the MQTT link to the head-end (embedded broker unless
 * GRANARY_MQTT_URL), the command dispatcher, the account-event consumer that reconnects on payment, and
 * the daily run as a scheduled job. `npm start` starts it with the server; tests start it on their own.
 */
export interface FeeControlService {
  /** the broker in use (the embedded one's loopback address, or GRANARY_MQTT_URL) */
  brokerUrl: string;
  /** the day's run now (the job does the same on its schedule) */
  runToday(): Promise<RunSummary>;
  /** the run of each of the last `days` days up to today, as of 10:00 each (the demo's start: states as a running system would have them) */
  runLastDays(days: number): Promise<RunSummary>;
  /** publish due commands soon */
  wake(): void;
  /** waits until no command is due and the event consumer has caught up (tests, demos) */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export const DAILY_JOB = 'fee-control.daily';
export const DELIVER_JOB = 'notify.deliver';

/** The fee-control deps of a configuration: notices to the outbox with the pay link, commands published soon. */
export function feeControlDeps(config: Config, clock: Clock, wake: () => void): FeeControlDeps {
  return {
    notify: async (trx, notices, now) => {
      await enqueueNotices(trx, notices.map((n) => ({ ...n, params: { ...n.params, payUrl: config.notify.payPageUrl } })), now);
    },
    wake,
    now: () => clock.now(),
  };
}

/** The day's run on the app's deps ("run today now"): commands it stages go out through the running dispatcher. */
export async function runFeeControlToday(deps: AppDeps): Promise<RunSummary> {
  const now = deps.clock.now();
  const fee = feeControlDeps(deps.config, deps.clock, deps.wakeCommands ?? (() => {}));
  return recorded(deps.db, deps.clock, businessDate(now), async () => runFeeControl(deps.db, fee, { today: businessDate(now), hour: localHour(now), now, tariffs: await loadRatingTariffs(deps.db) }));
}

export async function startFeeControl(
  rt: { handle: DatabaseHandle; config: Config; clock: Clock; log: (m: string) => void },
  opts: { jobs?: boolean; tickMs?: number } = {},
): Promise<FeeControlService> {
  const { db, pool } = rt.handle;
  const { ami } = rt.config;
  const settings: CommandSettings = { ackSeconds: ami.ackSeconds, attempts: ami.commandAttempts };
  let broker: EmbeddedBroker | null = null;
  let client: MqttClient | null = null;
  let events: Subscription | null = null;
  let jobs: JobQueue | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let dispatching: Promise<unknown> = Promise.resolve();
  let again = false;

  const dispatch = () => {
    if (stopped) return dispatching;
    if (timer) clearTimeout(timer);
    timer = null;
    dispatching = dispatching
      .then(() => dispatchDue(db, (meterNo, message) => publish(meterNo, message), settings, () => rt.clock.now()))
      .catch((err: unknown) => rt.log(`fee control: dispatching commands failed: ${String(err)}`))
      .finally(() => {
        if (stopped) return;
        const soon = again;
        again = false;
        timer = setTimeout(dispatch, soon ? 20 : (opts.tickMs ?? 500));
      });
    return dispatching;
  };
  const wake = () => {
    again = true;
    if (timer) {
      clearTimeout(timer);
      timer = setTimeout(dispatch, 20);
    }
  };
  const deps = feeControlDeps(rt.config, rt.clock, wake);
  const publish = async (meterNo: string, message: object) => {
    // QoS 1 without waiting for the broker: while it is away the client keeps the message; a command whose
    // answer does not come is sent again after its wait anyway
    client!.publish(amiTopic(ami.topicPrefix, meterNo, 'cmd'), JSON.stringify(message), { qos: 1 });
  };

  try {
    const url = ami.mqttUrl ?? (broker = await startEmbeddedBroker(ami.embeddedPort)).url;
    client = await connectMqtt(url, `granary-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    client.on('error', (err) => rt.log(`fee control: mqtt: ${err.message}`));
    const reads = readsInbox(rt, db);
    client.on('message', (topic, payload) => {
      const meterNo = meterOfTopic(ami.topicPrefix, topic);
      if (meterNo && topic.endsWith('/reads')) return reads.add(meterNo, payload);
      if (!meterNo || !topic.endsWith('/ack')) return;
      const ack = parseAck(payload);
      if (!ack) return rt.log(`fee control: ignored a malformed answer on ${topic}`);
      handleAck(db, deps, ack, settings, rt.clock.now()).catch((err: unknown) => rt.log(`fee control: answer ${ack.commandId} failed: ${String(err)}`));
    });
    await client.subscribeAsync([`${ami.topicPrefix}/ami/+/ack`, `${ami.topicPrefix}/ami/+/reads`], { qos: 1 });
    const consumer = feeControlConsumer(deps);
    events = subscribeEvents(db, consumer, { pollMs: 200, onError: (err) => rt.log(`fee control: event consumer: ${String(err)}`) });
    const runToday = async () => {
      const now = rt.clock.now();
      return recorded(db, rt.clock, businessDate(now), async () => runFeeControl(db, deps, { today: businessDate(now), hour: localHour(now), now, tariffs: await loadRatingTariffs(db) }));
    };
    if (opts.jobs !== false) {
      jobs = await startJobs(pool, (err) => rt.log(`jobs: ${err instanceof Error ? err.message : JSON.stringify(err)}`));
      await jobs.define(DAILY_JOB, async () => {
        const s = await runToday();
        rt.log(`fee control: ${s.accounts} accounts, ${s.changes} changes, ${s.notices} notices, ${s.disconnects} disconnections, ${s.held} held`);
      }, ami.feeControlCron);
      // the outbox: what is queued goes out within the minute (held in the outbox without a channel's settings)
      await jobs.define(DELIVER_JOB, async () => {
        await deliverDue(db, rt.config.notify, { now: rt.clock.now() });
      }, '* * * * *');
    }
    void dispatch();
    const runLastDays = async (days: number) => {
      const tariffs = await loadRatingTariffs(db);
      const today = businessDate(rt.clock.now());
      let last: RunSummary | null = null;
      for (let i = days - 1; i >= 0; i--) {
        const day = addDays(today, -i);
        const now = i === 0 ? rt.clock.now() : new Date(`${day}T10:00:00+08:00`);
        last = await recorded(db, rt.clock, day, () => runFeeControl(db, deps, { today: day, hour: i === 0 ? localHour(now) : 10, now, tariffs }));
      }
      return last!;
    };
    return {
      brokerUrl: url,
      runToday,
      runLastDays,
      wake,
      async settle() {
        await reads.flush();
        for (let i = 0; i < 400; i++) {
          const seen = await consumeEvents(db, consumer);
          await dispatch();
          await new Promise((r) => setTimeout(r, 25));
          if (seen === 0 && (await commandsInFlight(db)) === 0) return;
        }
      },
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        await reads.flush();
        await dispatching;
        await events?.stop();
        await jobs?.stop();
        await client?.endAsync();
        await broker?.close();
      },
    };
  } catch (err) {
    stopped = true;
    await events?.stop();
    await client?.endAsync().catch(() => {});
    await broker?.close();
    throw err;
  }
}

/**
 * Reads arriving on `<prefix>/ami/<meterNo>/reads` (one read or an array; the topic names the meter), gathered
 * for up to 200 ms or 5,000 reads and ingested as one batch through metering's rules.
 */
function readsInbox(rt: { clock: Clock; log: (m: string) => void }, db: DatabaseHandle['db']) {
  let pending: IncomingRead[] = [];
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    if (batch.length > 0)
      flushing = flushing
        .then(() => ingestReads(db, batch, { source: 'ami', now: rt.clock.now() }))
        .then((r) => {
          if (r.refused.length > 0) rt.log(`meter reads: ${r.refused.length} of ${batch.length} refused, e.g. ${r.refused[0]!.meterNo} ${r.refused[0]!.readOn}: ${r.refused[0]!.reason}`);
        })
        .catch((err: unknown) => rt.log(`meter reads: a batch of ${batch.length} failed: ${String(err)}`));
    return flushing;
  };
  return {
    add(meterNo: string, payload: Buffer) {
      let reads: IncomingRead[];
      try {
        reads = parseReadsPayload(payload.toString('utf8')).map((r) => ({ ...r, meterNo: r.meterNo || meterNo }));
      } catch (err) {
        return rt.log(`meter reads: a malformed message for ${meterNo}: ${err instanceof Error ? err.message : String(err)}`);
      }
      pending.push(...reads.filter((r) => r.meterNo === meterNo));
      if (pending.length >= 5_000) void flush();
      else timer ??= setTimeout(() => void flush(), 200);
    },
    flush,
  };
}

function parseAck(payload: Buffer): AckMessage | null {
  try {
    const v = JSON.parse(payload.toString('utf8')) as Partial<AckMessage>;
    if (typeof v.commandId !== 'string' || v.commandId.length > 64 || (v.status !== 'done' && v.status !== 'failed')) return null;
    return { commandId: v.commandId, status: v.status, ...(typeof v.at === 'string' ? { at: v.at } : {}), ...(typeof v.error === 'string' ? { error: v.error } : {}) };
  } catch {
    return null;
  }
}

/** A run with its row in fee_control_run (running → done with its summary, or failed), which the monitor shows. */
function recorded(db: DatabaseHandle['db'], clock: Clock, day: string, run: () => Promise<RunSummary>): Promise<RunSummary> {
  return recordFeeControlRun(db, day, () => clock.now(), run);
}

/** The hour in the business time zone (UTC+8). */
function localHour(now: Date): number {
  return (now.getUTCHours() + 8) % 24;
}
