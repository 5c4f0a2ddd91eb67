-- 006 bank debit files (代扣): a batch belongs to a company and is posted in steps with a cursor, so a
-- million-line file never holds its accounts locked for a minute and a crash resumes where it stopped.
-- Forward-only. Builds on 004's bank_batch / bank_batch_line (no rows yet when this runs).

-- The company whose accounts the file pays (account numbers are looked up there only; its readers see it).
alter table bank_batch add column company_id bigint not null references org_unit(id);

-- The same file is recognised per company (its bytes' sha256): importing it again replays the result,
-- or resumes a batch a crash left 'posting'.
alter table bank_batch drop constraint bank_batch_file_sha256_key;
alter table bank_batch add constraint bank_batch_company_file unique (company_id, file_sha256);

-- posting: lines 1..posted_through are final (their payments and result lines committed together);
-- posted: every line is. `lines` is known from the start; accepted / rejected / accepted_fen count the
-- lines final so far.
alter table bank_batch drop constraint bank_batch_status_check;
alter table bank_batch alter column status set default 'posting';
alter table bank_batch add constraint bank_batch_status_check check (status in ('posting', 'posted'));
alter table bank_batch add column posted_through int not null default 0;
alter table bank_batch add column encoding text not null default 'utf-8' check (encoding in ('utf-8', 'gb18030'));
alter table bank_batch add column posted_at timestamptz;
alter table bank_batch add constraint bank_batch_counts check (
  posted_through between 0 and lines and accepted + rejected = posted_through and accepted_fen >= 0
  and (status = 'posting' or posted_through = lines));
create index bank_batch_company_id on bank_batch (company_id, id desc);

-- A result line is written once, when its step commits.
create trigger bank_batch_line_append_only before update or delete or truncate on bank_batch_line
  for each statement execute function forbid_change();
