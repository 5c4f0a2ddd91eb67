-- 004 payments (收费), allocation (销账), penalties (违约金), approvals, channels, bank debit files (代扣)
-- and reconciliation (对账). Forward-only. Builds on 003's ledger: every payment is one balanced
-- transfer written in the same transaction as its payment row (DESIGN §5).

-- Book names: add clearing books per channel (already allowed by the pattern clearing.<name>) and the
-- penalty revenue book revenue.penalty (allowed by revenue.<name>). Nothing to change in 003.

-- ---------------------------------------------------------------------------------------------
-- Payments.

create table payment (
  account_id      bigint not null,
  id              bigint not null,
  -- counter (坐收), wechatpay, alipay, gridapp (网上国网), bank (代扣)
  channel         text not null check (channel in ('counter','wechatpay','alipay','gridapp','bank')),
  -- the channel's own id (WeChat transaction_id, Alipay trade_no, grid app txn id, bank line reference,
  -- counter: derived from the cashier's Idempotency-Key). I3: applied at most once.
  channel_txn_id  text not null check (length(channel_txn_id) between 1 and 128),
  amount_fen      bigint not null check (amount_fen > 0),
  paid_at         timestamptz not null,
  -- Asia/Shanghai date of paid_at: the channel-day reconciliation compares
  business_date   date not null,
  order_id        bigint,
  bank_batch_id   bigint,
  operator_id     bigint,
  -- how the money was spread (denormalised from payment_allocation for the receipt)
  principal_fen   bigint not null default 0,
  penalty_fen     bigint not null default 0,
  prepaid_fen     bigint not null default 0,
  -- reversed (冲正) later by an approved request; the payment row itself is never changed otherwise
  reversed        boolean not null default false,
  created_at      timestamptz not null default now(),
  primary key (account_id, id),
  check (principal_fen + penalty_fen + prepaid_fen = amount_fen)
);
create sequence payment_id_seq as bigint;
alter table payment alter column id set default nextval('payment_id_seq');
alter sequence payment_id_seq owned by payment.id;
-- I3: one application per channel transaction. (Citus: a reference lookup table would carry this.)
create unique index payment_channel_txn on payment (channel, channel_txn_id);
create index payment_id on payment (id);
create index payment_channel_day on payment (channel, business_date);
create index payment_batch on payment (bank_batch_id) where bank_batch_id is not null;

create trigger payment_no_delete before delete or truncate on payment
  for each statement execute function forbid_change();
-- The only change a payment row ever gets is reversed false → true.
create function payment_only_reversal() returns trigger language plpgsql as $$
begin
  if (to_jsonb(new) - 'reversed') is distinct from (to_jsonb(old) - 'reversed') or (old.reversed and not new.reversed) then
    raise exception 'payment % is final: only a reversal may mark it', old.id using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger payment_final before update on payment for each row execute function payment_only_reversal();

-- How each payment was spread over bills: penalty then principal, oldest bill first (RULES §6).
-- bill_id null = the remainder credited to the prepaid balance (预收). Negative rows undo a reversed payment.
create table payment_allocation (
  account_id     bigint not null,
  payment_id     bigint not null,
  line_no        smallint not null,
  bill_id        bigint,
  penalty_fen    bigint not null default 0,
  principal_fen  bigint not null default 0,
  prepaid_fen    bigint not null default 0,
  primary key (account_id, payment_id, line_no)
);
create trigger payment_allocation_append_only before update or delete or truncate on payment_allocation
  for each statement execute function forbid_change();

-- The running state of each issued bill as payments, penalties and waivers reach it. Created on first
-- touch (a bill without a row has paid nothing and accrued no penalty yet). Issued bills are final
-- (003), so this state lives beside them.
create table bill_settlement (
  account_id           bigint not null,
  bill_id              bigint not null,
  principal_paid_fen   bigint not null default 0 check (principal_paid_fen >= 0),
  -- exact penalty accrued so far, in milli-fen (principal fen × ‰ rate per day is a whole number of
  -- milli-fen), through penalty_through inclusive
  penalty_accrued_mfen bigint not null default 0 check (penalty_accrued_mfen >= 0),
  penalty_through      date,
  -- penalty posted to the ledger so far (rounded, with the minimum), paid and waived
  penalty_charged_fen  bigint not null default 0 check (penalty_charged_fen >= 0),
  penalty_paid_fen     bigint not null default 0 check (penalty_paid_fen >= 0),
  penalty_waived_fen   bigint not null default 0 check (penalty_waived_fen >= 0),
  settled_on           date,
  updated_at           timestamptz not null default now(),
  primary key (account_id, bill_id),
  check (penalty_paid_fen + penalty_waived_fen <= penalty_charged_fen)
);

-- The penalty minimum (RULES §6): 1 元 under the 1996 rules; whether the 2024 rules keep it is unconfirmed,
-- so it is an effective-dated setting. The rates are the rules' own and live in code.
create table penalty_minimum (
  effective_from  date primary key,
  minimum_fen     bigint not null check (minimum_fen >= 0),
  note            text
);
insert into penalty_minimum (effective_from, minimum_fen, note) values
  ('1996-09-01', 100, '供电营业规则 (1996): a penalty under 1 元 is charged as 1 元'),
  ('2024-06-01', 100, '供电营业规则 (2024): kept as 1 元 until confirmed otherwise');

-- ---------------------------------------------------------------------------------------------
-- Idempotency-Key (DESIGN §6) for money-moving POSTs: stored in the same transaction as the effect,
-- so a crash leaves neither and a retry applies once.

create table idempotency_key (
  scope          text not null,      -- who may replay it: 'user:<id>' or 'pay:<accountId>'
  key            text not null check (length(key) between 1 and 200),
  request_hash   text not null,      -- sha256 of method, route and body
  status_code    int not null,
  response       jsonb not null,
  created_at     timestamptz not null default now(),
  primary key (scope, key)
);

-- ---------------------------------------------------------------------------------------------
-- Online channels.

create table payment_order (
  id             bigint generated by default as identity primary key,
  out_trade_no   text not null unique,
  account_id     bigint not null references account(id),
  channel        text not null check (channel in ('wechatpay','alipay','gridapp')),
  amount_fen     bigint not null check (amount_fen > 0),
  status         text not null default 'open' check (status in ('open','paid','closed')),
  created_by     bigint references app_user(id),   -- null: the customer payment page
  created_at     timestamptz not null default now(),
  expires_at     timestamptz not null,
  paid_at        timestamptz,
  payment_id     bigint,
  channel_txn_id text
);
create index payment_order_account on payment_order (account_id, created_at desc);

-- WeChat Pay nonces seen inside the timestamp window: a second delivery with the same nonce is a replay.
create table channel_nonce (
  channel   text not null,
  nonce     text not null,
  seen_at   timestamptz not null default now(),
  primary key (channel, nonce)
);

-- Refused callbacks and conflicting deliveries (security log). Append-only.
create table security_event (
  id          bigint generated by default as identity primary key,
  at          timestamptz not null default now(),
  channel     text not null,
  kind        text not null,          -- bad_signature, stale_timestamp, replayed_nonce, bad_ciphertext, wrong_merchant, wrong_amount, unpaid_status, weak_sign_type, txn_conflict, unknown_order …
  reason      text not null,
  remote_addr text,
  detail      jsonb not null default '{}'::jsonb
);
create index security_event_at on security_event (at desc);
create trigger security_event_append_only before update or delete or truncate on security_event
  for each statement execute function forbid_change();

-- ---------------------------------------------------------------------------------------------
-- Approvals one level up: reversal (冲正), refund (退费) and penalty waiver (违约金减免).

create table approval_request (
  id             bigint generated by default as identity primary key,
  kind           text not null check (kind in ('payment.reversal','prepaid.refund','penalty.waiver')),
  account_id     bigint not null references account(id),
  payment_id     bigint,
  bill_id        bigint,
  amount_fen     bigint not null check (amount_fen > 0),
  reason         text not null check (length(reason) between 2 and 500),
  status         text not null default 'pending' check (status in ('pending','approved','rejected')),
  requested_by   bigint not null references app_user(id),
  requested_at   timestamptz not null default now(),
  decided_by     bigint references app_user(id),
  decided_at     timestamptz,
  decision_note  text,
  check ((status = 'pending') = (decided_by is null)),
  check (decided_by is null or decided_by <> requested_by)
);
create index approval_request_account on approval_request (account_id);
create index approval_request_pending on approval_request (status, id) where status = 'pending';
-- One open request per payment or bill and kind.
create unique index approval_request_open on approval_request (kind, account_id, coalesce(payment_id, 0), coalesce(bill_id, 0)) where status = 'pending';

-- ---------------------------------------------------------------------------------------------
-- Bank debit files (代扣): one batch per file; its lines as imported, with what became of each.

create table bank_batch (
  id              bigint generated by default as identity primary key,
  bank            text not null,
  file_name       text not null,
  file_sha256     text not null unique,    -- the same file twice is refused (its result is returned)
  business_date   date not null,
  status          text not null default 'posted' check (status in ('posted')),
  lines           int not null,
  accepted        int not null,
  rejected        int not null,
  accepted_fen    bigint not null,
  created_by      bigint references app_user(id),
  created_at      timestamptz not null default now(),
  seconds         numeric(10,3)
);

create table bank_batch_line (
  batch_id       bigint not null,
  line_no        int not null,
  account_no     text,
  account_id     bigint,
  amount_fen     bigint,
  bank_txn_id    text,
  accepted       boolean not null,
  reason         text,
  payment_id     bigint,
  primary key (batch_id, line_no)
);

-- ---------------------------------------------------------------------------------------------
-- Reconciliation (对账): channel statements imported and matched against payments by channel txn id.

create table recon_import (
  id              bigint generated by default as identity primary key,
  channel         text not null check (channel in ('wechatpay','alipay','gridapp','bank')),
  file_name       text not null,
  file_sha256     text not null,
  rows            int not null,
  created_by      bigint references app_user(id),
  created_at      timestamptz not null default now(),
  unique (channel, file_sha256)
);

-- One row per channel transaction seen on a statement, or per ledger payment missing from the statement
-- of its channel-day. status: matched · channel_only (applied from the statement, reported) ·
-- ledger_only (flagged) · amount_mismatch (quarantined for review).
create table recon_item (
  id              bigint generated by default as identity primary key,
  channel         text not null,
  business_date   date not null,
  channel_txn_id  text not null,
  out_trade_no    text,
  statement_fen   bigint,
  ledger_fen      bigint,
  payment_id      bigint,
  account_id      bigint,
  import_id       bigint references recon_import(id),
  status          text not null check (status in ('matched','channel_only','ledger_only','amount_mismatch')),
  resolved        boolean not null default false,
  resolved_by     bigint references app_user(id),
  resolved_at     timestamptz,
  resolution      text,
  created_at      timestamptz not null default now(),
  unique (channel, channel_txn_id)
);
create index recon_item_day on recon_item (channel, business_date, status);

-- Which channel-days a statement covered (I6 is checked for these).
create table recon_day (
  channel         text not null,
  business_date   date not null,
  import_id       bigint not null references recon_import(id),
  statement_count int not null,
  statement_fen   bigint not null,
  primary key (channel, business_date)
);
