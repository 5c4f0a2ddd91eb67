-- 013 notifications (issue 18 item 5): the outbox of customer notices — balance low, days left, pending
-- disconnection, disconnected, reconnected — one row per notice and channel, with its delivery state.
-- Forward-only.

create table notification (
  id                   bigint generated always as identity primary key,
  -- no foreign key: rows are only inserted joined with their account, and accounts are closed, never
  -- deleted; the check would cost a lookup per message on a day that queues 100,000 notices
  account_id           bigint not null,
  kind                 text not null check (kind in ('balance_low', 'days_left', 'pending_disconnection', 'disconnected', 'reconnected')),
  channel              text not null check (channel in ('sms', 'app')),
  -- sms: the phone number, whole because it must be sent (every answer and log masks it); app: the account number
  recipient            text not null,
  -- the Chinese text as sent (the template with its variables filled in)
  body                 text not null,
  -- the notice's parameters and the account number: the template variables are made from them when sent
  params               jsonb not null default '{}'::jsonb,
  -- the caller's key: a notice is queued once per account and channel (the key holds the account id
  -- in practice; with it in the key the constraint also holds on a table distributed by account, DESIGN §8)
  dedupe_key           text not null,
  state                text not null default 'queued' check (state in ('queued', 'sending', 'sent', 'failed', 'held')),
  attempts             int not null default 0 check (attempts >= 0),
  -- when the deliverer should look at it next: queued → at once; sending → when the claim lapses; failed →
  -- after the back-off; null when nothing is left to do (sent, held, failed for good)
  next_attempt_at      timestamptz,
  last_error           text,
  provider_message_id  text,
  created_at           timestamptz not null default now(),
  sent_at              timestamptz,
  unique (account_id, dedupe_key, channel),
  check ((state in ('queued', 'sending') and next_attempt_at is not null) or state in ('failed', 'sent', 'held')),
  check ((state = 'sent') = (sent_at is not null))
);
-- what is due: a small part of the table (claims read it in order, then skip what another deliverer holds)
create index notification_due on notification (next_attempt_at, id) where next_attempt_at is not null;
-- an account's messages (the outbox filtered by account) are found by the unique index's account_id prefix
