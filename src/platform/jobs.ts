import type pg from 'pg';
import { PgBoss } from 'pg-boss';

/**
 * Scheduled and queued jobs on PostgreSQL (pg-boss, its own schema `pgboss`): no other server needed.
 * Times of cron schedules are in the business time zone.
 */
export interface JobQueue {
  /** runs `handler` for each job of `name`; `cron` also schedules it */
  define(name: string, handler: (data: Record<string, unknown>) => Promise<void>, cron?: string): Promise<void>;
  /** queues a job now; its id */
  send(name: string, data?: Record<string, unknown>): Promise<string | null>;
  stop(): Promise<void>;
}

export const BUSINESS_TZ = 'Asia/Shanghai';

export async function startJobs(pool: pg.Pool, onError: (err: unknown) => void): Promise<JobQueue> {
  const boss = new PgBoss({ db: { executeSql: (text: string, values?: unknown[]) => pool.query(text, values as unknown[]) }, schema: 'pgboss' });
  boss.on('error', onError);
  await boss.start();
  return {
    async define(name, handler, cron) {
      await boss.createQueue(name);
      await boss.work<Record<string, unknown>>(name, async (jobs) => {
        for (const job of jobs) await handler(job.data ?? {});
      });
      if (cron) await boss.schedule(name, cron, {}, { tz: BUSINESS_TZ });
    },
    send: (name, data) => boss.send(name, data ?? {}),
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}
