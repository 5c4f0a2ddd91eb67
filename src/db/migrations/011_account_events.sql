-- 011 account events (issue 16): one row per account and posting, appended by the ledger in the
-- transaction of the posting. Forward-only.

-- seq is drawn under a transaction advisory lock taken by the statement that appends (the last of its
-- transaction), so events commit in seq order: a reader that saw seq N never later finds one below N.
create table account_event (
  seq                  bigint generated always as identity primary key,
  account_id           bigint not null,
  kind                 text not null check (kind in ('bill.issued', 'bill.adjusted', 'payment.applied', 'payment.reversed',
                         'prepaid.refunded', 'prepaid.credited', 'prepaid.debited', 'penalty.posted', 'penalty.waived')),
  ref_type             text not null,
  ref_id               bigint not null,
  business_date        date not null,
  -- what the posting changed on the account's books and the balances after it, as the customer sees them:
  -- receivable and penalty owed, prepaid held for the customer (the prepaid book's credit balance, negated)
  receivable_delta_fen bigint not null,
  prepaid_delta_fen    bigint not null,
  penalty_delta_fen    bigint not null,
  receivable_fen       bigint not null,
  prepaid_fen          bigint not null,
  penalty_fen          bigint not null,
  at                   timestamptz not null default now()
);
-- (no index by account yet: every reader so far reads by seq; an index would cost a second insert per event)
create trigger account_event_append_only before update or delete or truncate on account_event
  for each statement execute function forbid_change();

-- Where each in-process consumer has read to; stored in the transaction of what it did with the events.
create table event_cursor (
  consumer   text primary key,
  seq        bigint not null,
  updated_at timestamptz not null default now()
);
