-- 007 reconciliation (对账): what 004's tables need to replay an import and to review its items.
-- Forward-only.

-- The result an import answered with, returned again when the same file (same channel, same sha256)
-- comes back: the second import changes nothing.
alter table recon_import add column result jsonb not null default '{}'::jsonb;

-- Why an item is what it is (e.g. a channel-only row that could not be applied: no payment order with
-- its out_trade_no), and the reviewer's note when it is resolved.
alter table recon_item add column reason text;
alter table recon_item add column resolution_note text;
-- The line of the statement file the item came from (null for ledger_only items).
alter table recon_item add column statement_line int;

-- Review outcomes (src/modules/reconciliation/README.md): the statement is right and the ledger was
-- corrected through the payments flow; the channel's statement is wrong; the difference is written off.
alter table recon_item add constraint recon_item_resolution check (
  resolution is null or resolution in ('accepted_statement', 'channel_error', 'written_off'));
alter table recon_item add constraint recon_item_resolved check (resolved = (resolution is not null));

-- Items of an account (the account's page, station heads' view).
create index recon_item_account on recon_item (account_id) where account_id is not null;
