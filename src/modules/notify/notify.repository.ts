import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';
import { accountsInScope } from '../customers/index.js';
import type { Scope } from '../org/index.js';
import type { NoticeChannel, NoticeKind, NotificationState } from './domain/kinds.js';
import { ACCOUNT_NO_SLOT } from './domain/templates.js';

/** The only place with SQL for the notification outbox (table `notification`, migration 013). */

/** A checked notice with its text rendered but for the account number (ACCOUNT_NO_SLOT). */
export interface NoticeRow {
  account_id: number;
  kind: NoticeKind;
  dedupe_key: string;
  body: string;
  params: Record<string, string | number>;
}

/**
 * Queues notices in one statement whatever their number: per notice and channel one message — SMS to the
 * account's primary contact phone (the primary contact first, then the others, the first that has a
 * phone; none → no SMS), the app push to the account number — the account number filled into text and
 * parameters, a message whose (account, dedupe key, channel) is already queued skipped. Returns how many
 * notices got at least one new message.
 */
export async function insertNotices(db: Executor, rows: readonly NoticeRow[], channels: readonly NoticeChannel[], now: Date): Promise<number> {
  if (rows.length === 0 || channels.length === 0) return 0;
  const { rows: out } = await sql<{ queued: number }>`
    with n as (
      select * from json_to_recordset(${JSON.stringify(rows)}::json)
          as x(account_id bigint, kind text, dedupe_key text, body text, params jsonb)
    ), a as (
      select n.account_id, n.kind, n.dedupe_key, acc.account_no,
             replace(n.body, ${ACCOUNT_NO_SLOT}, acc.account_no) as body,
             n.params || jsonb_build_object('accountNo', acc.account_no) as params, c.phone
        from n join account acc on acc.id = n.account_id
        -- lateral, not a scalar subquery: looked up once per notice though two channels use it
        left join lateral (select c.phone from account_contact c
                            where c.account_id = n.account_id and coalesce(c.phone, '') <> ''
                            order by c.is_primary desc, c.id limit 1) c on true
    ), ins as (
      insert into notification (account_id, kind, channel, recipient, body, params, dedupe_key, state, next_attempt_at, created_at)
      select a.account_id, a.kind, ch.channel, case ch.channel when 'sms' then a.phone else a.account_no end,
             a.body, a.params, a.dedupe_key, 'queued', ${now}::timestamptz, ${now}::timestamptz
        from a cross join unnest(${[...channels]}::text[]) as ch(channel)
       where ch.channel = 'app' or a.phone is not null
      on conflict (account_id, dedupe_key, channel) do nothing
      returning account_id, dedupe_key
    )
    select count(distinct (account_id, dedupe_key))::int as queued from ins`.execute(db);
  return out[0]?.queued ?? 0;
}

/** `and account_id in (the company's accounts)` when a company is given. */
const ofCompany = (companyId: number | undefined) =>
  companyId === undefined ? sql`` : sql`and account_id in (select id from account where company_id = ${companyId})`;

/**
 * Messages of channels that are not configured, waiting to go out (not one another deliverer is sending
 * now), become `held`: kept in the outbox, unsent. Returns how many.
 */
export async function holdPending(db: Executor, channels: readonly NoticeChannel[], now: Date, companyId?: number): Promise<number> {
  if (channels.length === 0) return 0;
  const r = await sql`
    update notification set state = 'held', next_attempt_at = null
     where next_attempt_at is not null and channel = any(${[...channels]}::text[])
       and (state <> 'sending' or next_attempt_at <= ${now}::timestamptz)
       ${ofCompany(companyId)}`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

export interface ClaimedMessage {
  id: number;
  account_id: number;
  kind: NoticeKind;
  channel: NoticeChannel;
  recipient: string;
  body: string;
  params: Record<string, unknown>;
  attempts: number;
}

/**
 * Claims up to `limit` due messages of the given channels, oldest due first — queued ones, failed ones
 * whose back-off is over, and `sending` ones whose claim lapsed — skipping rows another deliverer holds
 * locked: each becomes `sending` until `leaseUntil`, its attempts counted.
 */
export async function claimDue(db: Executor, o: { now: Date; channels: readonly NoticeChannel[]; limit: number; leaseUntil: Date; companyId?: number | undefined }): Promise<ClaimedMessage[]> {
  const { rows } = await sql<ClaimedMessage>`
    update notification n set state = 'sending', attempts = n.attempts + 1, next_attempt_at = ${o.leaseUntil}::timestamptz
      from (select id from notification
             where next_attempt_at <= ${o.now}::timestamptz and channel = any(${[...o.channels]}::text[])
               ${ofCompany(o.companyId)}
             order by next_attempt_at, id
             limit ${o.limit}
             for update skip locked) due
     where n.id = due.id
    returning n.id, n.account_id, n.kind, n.channel, n.recipient, n.body, n.params, n.attempts`.execute(db);
  return rows;
}

export interface SendResult {
  id: number;
  state: 'sent' | 'failed';
  /** a failed message: when it is due again, null = never */
  nextAttemptAt: Date | null;
  error: string | null;
  providerMessageId: string | null;
}

/** Records what became of claimed messages, in one statement; a message no longer `sending` is left alone. */
export async function recordResults(db: Executor, results: readonly SendResult[], now: Date): Promise<void> {
  if (results.length === 0) return;
  const json = JSON.stringify(results.map((r) => ({ id: r.id, state: r.state, next_at: r.nextAttemptAt?.toISOString() ?? null, error: r.error, pid: r.providerMessageId })));
  await sql`
    update notification n
       set state = r.state, next_attempt_at = r.next_at, last_error = r.error,
           provider_message_id = coalesce(r.pid, n.provider_message_id),
           sent_at = case when r.state = 'sent' then ${now}::timestamptz end
      from json_to_recordset(${json}::json) as r(id bigint, state text, next_at timestamptz, error text, pid text)
     where n.id = r.id and n.state = 'sending'`.execute(db);
}

export interface NotificationFilter {
  accountId?: number | undefined;
  kind?: NoticeKind | undefined;
  channel?: NoticeChannel | undefined;
  state?: NotificationState | undefined;
  /** newest first: only ids below this one (the cursor) */
  beforeId: number | null;
  limit: number;
}

/** Messages of accounts in the scope, newest first (`limit` rows; ask for one more to know of a next page). */
export async function listInScope(db: Executor, scope: Scope, f: NotificationFilter) {
  let q = accountsInScope(db, scope)
    .innerJoin('notification as n', 'n.account_id', 'a.id')
    .select([
      'n.id',
      'n.account_id',
      'a.account_no',
      'a.name as account_name',
      'n.kind',
      'n.channel',
      'n.recipient',
      'n.body',
      'n.state',
      'n.attempts',
      'n.next_attempt_at',
      'n.last_error',
      'n.provider_message_id',
      'n.created_at',
      'n.sent_at',
    ]);
  if (f.accountId !== undefined) q = q.where('n.account_id', '=', f.accountId);
  if (f.kind !== undefined) q = q.where('n.kind', '=', f.kind);
  if (f.channel !== undefined) q = q.where('n.channel', '=', f.channel);
  if (f.state !== undefined) q = q.where('n.state', '=', f.state);
  if (f.beforeId !== null) q = q.where('n.id', '<', f.beforeId);
  return q.orderBy('n.id', 'desc').limit(f.limit).execute();
}

export type NotificationRow = Awaited<ReturnType<typeof listInScope>>[number];
