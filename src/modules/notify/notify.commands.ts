import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { CommandDeps } from '../../platform/deps.js';
import { DEFAULT_DELIVERY_LIMIT, deliverDue } from './use-cases/deliver.js';
import { sendersOf } from './use-cases/senders.js';

function wholeNumber(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** `granary notify deliver [--limit N]`: sends what is due once (the scheduled job does the same) and prints what became of it. */
export function registerNotifyCommands(program: Command, { withRuntime }: CommandDeps): void {
  const notify = program.command('notify').description('customer notifications (SMS through Aliyun, the grid app’s push): the outbox');
  notify
    .command('deliver')
    .description('send the messages that are due once: queued ones, and failed ones whose back-off is over; a channel without settings holds its messages in the outbox')
    .option('--limit <n>', `send at most this many (default ${DEFAULT_DELIVERY_LIMIT})`, wholeNumber)
    .action(async (opts: { limit?: number }) => {
      const config = loadConfig();
      const senders = sendersOf(config.notify); // refuse bad settings before the database starts
      await withRuntime(config, async (rt) => {
        const r = await deliverDue(rt.handle.db, config.notify, { now: rt.clock.now(), limit: opts.limit });
        console.log(`sent ${r.sent}, failed ${r.failed} (retried later while attempts remain), held ${r.held}`);
        if (r.held > 0) {
          const off = [!senders.sms && 'SMS (GRANARY_SMS_ALIYUN_*)', !senders.app && 'the grid app push (GRANARY_GRIDAPP_PUSH_URL)'].filter(Boolean).join(' and ');
          console.log(`held: ${off} not configured; the messages stay in the outbox (GET /api/v1/notifications, the 通知 page)`);
        }
      });
    });
}
