-- 008 payments by business day: (business_date) instead of (channel, business_date). Forward-only.
--
-- The counter's hot statements are planned once per connection (db/pipeline.ts). A plan made while the
-- payment table is still empty (a new system before its first payment) looked a channel transaction up
-- through (channel, business_date) by channel alone, the transaction id as a filter: a walk over every
-- payment of the channel once the table grows. With no other index on channel, the lookup has only the
-- unique (channel, channel_txn_id) to use. Reconciliation and the ledger check read a channel's days by
-- day, then filter the channel.
drop index payment_channel_day;
create index payment_day on payment (business_date);
