-- 012 prepaid fee control and remote switching (issue 18, RULES §7–8, DESIGN §7). Forward-only.

-- Where each smart-prepaid and purchase-before-use account stands after the latest daily run.
create table fee_control (
  account_id     bigint primary key references account(id),
  state          text not null default 'normal'
                   check (state in ('normal', 'warned', 'pending', 'disconnected', 'reconnecting')),
  since          timestamptz not null default now(),
  -- the customer's warning amount (RULES §8.3: default 50 元, their choice 10–200 元)
  warn_fen       bigint not null default 5000 check (warn_fen between 1000 and 20000),
  -- as of the latest run or payment: prepaid balance − what is owed (open bills, penalties) − unbilled estimates
  prepaid_fen    bigint not null default 0,
  owed_fen       bigint not null default 0,
  estimate_fen   bigint not null default 0,
  available_fen  bigint not null default 0,
  -- average daily charge over the recent days and the forecast days left (null: no use to forecast from)
  daily_fen      bigint not null default 0,
  days_left      numeric(8, 1),
  -- the business day available first went below zero; the grace period counts from it
  below_zero_on  date,
  run_on         date,
  -- why a disconnection that is due has not been staged (the guards), null when none is due
  held_reason    text,
  updated_at     timestamptz not null default now()
);
create index fee_control_state on fee_control (state) where state <> 'normal';

-- The day's estimated charge (测算电费) per account: the cycle-to-date charge rated from the daily frozen
-- read of read_on; the day's estimate is the difference to the day before in the same cycle.
create table fee_estimate (
  account_id  bigint not null references account(id),
  read_on     date not null,
  -- the billing period whose cycle the read falls in (YYYY-MM); estimates of a period end when its bill is issued
  period      text not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  kwh         numeric(14, 2) not null,
  ctd_fen     bigint not null,
  day_fen     bigint not null,
  primary key (account_id, read_on)
);

-- Every state change, with its reason (also an account event).
create table fee_control_change (
  id          bigint generated always as identity primary key,
  account_id  bigint not null references account(id),
  from_state  text not null,
  to_state    text not null,
  reason      text not null,
  business_date date not null,
  at          timestamptz not null default now()
);
create index fee_control_change_account on fee_control_change (account_id, id);

create table fee_control_run (
  id             bigint generated always as identity primary key,
  business_date  date not null,
  status         text not null default 'running' check (status in ('running', 'done', 'failed')),
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  accounts       int not null default 0,
  summary        jsonb not null default '{}'::jsonb,
  error          text
);
create index fee_control_run_day on fee_control_run (business_date, id);

-- Days without disconnections (RULES §7): public holidays, extreme weather, anything else; nights are a setting.
create table blackout_day (
  day         date primary key,
  kind        text not null check (kind in ('holiday', 'weather', 'other')),
  note        text not null default '',
  created_by  bigint references app_user(id),
  created_at  timestamptz not null default now()
);

-- A disconnection the guards hold for approval (protected customer, heating season, bulk): one approver,
-- or two for a bulk one; a second approver must be another person.
create table disconnect_approval (
  id            bigint generated always as identity primary key,
  account_id    bigint not null references account(id),
  reason        text not null,
  bulk          boolean not null default false,
  status        text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'void')),
  requested_at  timestamptz not null default now(),
  first_by      bigint references app_user(id),
  first_at      timestamptz,
  second_by     bigint references app_user(id),
  second_at     timestamptz,
  check (second_by is null or second_by <> first_by)
);
create unique index disconnect_approval_open on disconnect_approval (account_id) where status in ('pending', 'approved');

-- Remote switching commands (DESIGN §7): staged in the transaction of their cause, published after commit,
-- retried with back-off until acknowledged, timed out and escalated to a person.
create table meter_command (
  id              bigint generated always as identity primary key,
  command_id      text not null unique,
  account_id      bigint not null references account(id),
  meter_no        text not null,
  action          text not null check (action in ('disconnect', 'reconnect')),
  cause           text not null,
  state           text not null default 'staged'
                    check (state in ('staged', 'sent', 'done', 'failed', 'escalated', 'cancelled')),
  attempts        int not null default 0,
  next_attempt_at timestamptz not null default now(),
  staged_at       timestamptz not null default now(),
  first_sent_at   timestamptz,
  sent_at         timestamptz,
  acked_at        timestamptz,
  latency_ms      int,
  last_error      text
);
create index meter_command_due on meter_command (next_attempt_at) where state in ('staged', 'sent');
create index meter_command_account on meter_command (account_id, id);
create unique index meter_command_one_open on meter_command (account_id) where state in ('staged', 'sent');

alter table account_event drop constraint account_event_kind_check;
alter table account_event add constraint account_event_kind_check check (kind in ('bill.issued', 'bill.adjusted', 'payment.applied',
  'payment.reversed', 'prepaid.refunded', 'prepaid.credited', 'prepaid.debited', 'penalty.posted', 'penalty.waived',
  'fee_control.normal', 'fee_control.warned', 'fee_control.pending', 'fee_control.disconnected', 'fee_control.reconnecting'));
