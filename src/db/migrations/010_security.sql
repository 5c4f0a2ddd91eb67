-- 010 security fixes (issue 15). Forward-only.

-- Searching by the last 4 digits of a phone (every role; full numbers only for roles that may see them).
create index account_contact_phone_last4 on account_contact (right(phone, 4)) where phone is not null;
create index customer_phone_last4 on customer (right(phone, 4)) where phone is not null;

-- A statement row crediting more than GRANARY_RECON_REVIEW_ABOVE_YUAN is held for review rather than
-- applied; accepting it at review applies it as of the time the channel took it.
alter table recon_item add column held boolean not null default false;
alter table recon_item add column paid_at timestamptz;
