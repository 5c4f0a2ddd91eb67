import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { withRuntime } from '../runtime.js';
import { businessDate } from '../shared/business-time.js';
import { projectedReads, startHeadEnd, type HeadEnd } from '../workflows/ami-sim.js';
import { startFeeControl, type FeeControlService } from '../workflows/fee-control.js';

/** `granary fee-control run` (the day's run once, then the commands it staged) and `granary ami-sim` (a simulated head-end). */
export function registerFeeControlCommands(program: Command): void {
  const fee = program.command('fee-control').description('prepaid fee control (智能交费): the daily run, remote switching');
  fee
    .command('run')
    .description("run today's fee control now and send the commands it stages (the server's job runs it daily)")
    .action(async () => {
      await withRuntime(loadConfig(), async (rt) => {
        const service = await startFeeControl(rt, { jobs: false });
        try {
          const s = await service.runToday();
          console.log(`${s.accounts} accounts, ${s.estimated} estimated: ${JSON.stringify(s.byState)}; ${s.changes} changes, ${s.notices} notices, ${s.disconnects} disconnections staged, ${s.held} held, ${s.cancelled} cancelled`);
          await service.settle();
        } finally {
          await service.stop();
        }
      });
    });

  program
    .command('ami-sim')
    .description('a simulated head-end: answers meter commands over MQTT (GRANARY_MQTT_URL, else the embedded broker of a running Granary)')
    .option('--delay-ms <min-max>', 'answer delay range in ms', '200-1500')
    .option('--fail-rate <share>', 'share of commands answered "failed" (0–1)', rate, 0)
    .option('--duplicate-rate <share>', 'share of answers sent twice (0–1)', rate, 0)
    .option('--silent-rate <share>', 'share of commands never answered (0–1)', rate, 0)
    .action(async (opts: { delayMs: string; failRate: number; duplicateRate: number; silentRate: number }) => {
      const config = loadConfig();
      const [min, max] = opts.delayMs.split('-').map(Number);
      if (!Number.isFinite(min) || !Number.isFinite(max) || min! < 0 || max! < min!) throw new InvalidArgumentError('--delay-ms: expected <min>-<max> in ms');
      const headEnd = await startHeadEnd({ url: brokerUrl(config), prefix: config.ami.topicPrefix, delayMs: { min: min!, max: max! }, failRate: opts.failRate, duplicateRate: opts.duplicateRate, silentRate: opts.silentRate });
      console.log(`ami-sim: answering commands on ${brokerUrl(config)} (${config.ami.topicPrefix}/ami/+/cmd); Ctrl-C stops it`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await headEnd.stop();
    });
}

/** The broker a separate process reaches: GRANARY_MQTT_URL, or the embedded broker a running Granary serves on loopback. */
export function brokerUrl(config: Config): string {
  return config.ami.mqttUrl ?? `mqtt://127.0.0.1:${config.ami.embeddedPort}`;
}

/** Whether `serve` runs the simulated head-end beside it: GRANARY_AMI_SIM, or by default in demo mode on the embedded broker. */
export function simulateHeadEnd(config: Config): boolean {
  return config.ami.sim === 'auto' ? config.demo && config.ami.mqttUrl === undefined : config.ami.sim;
}

/**
 * Fee control for `serve`: the service, and — when simulated — the head-end, which also reports each meter's
 * frozen reads of the days since its last one at start and then every hour (a cut meter's registers stand still).
 */
export async function startServerFeeControl(rt: Parameters<typeof startFeeControl>[0]): Promise<{ service: FeeControlService; headEnd: HeadEnd | null }> {
  const service = await startFeeControl(rt);
  if (!simulateHeadEnd(rt.config)) return { service, headEnd: null };
  const sim = await startHeadEnd({ url: service.brokerUrl, prefix: rt.config.ami.topicPrefix, delayMs: { min: 200, max: 1500 } });
  const report = () =>
    projectedReads(rt.handle.db, businessDate(rt.clock.now()), new Set([...sim.relays].filter(([, on]) => !on).map(([meterNo]) => meterNo)))
      .then((reads) => sim.publishReads(reads))
      .catch((err: unknown) => rt.log(`ami-sim: reads: ${String(err)}`));
  void report();
  const hourly = setInterval(() => void report(), 3_600_000);
  hourly.unref();
  return { service, headEnd: { ...sim, stop: async () => (clearInterval(hourly), sim.stop()) } };
}

function rate(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a share between 0 and 1');
  return n;
}
