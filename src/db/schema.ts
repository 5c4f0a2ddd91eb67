import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Kysely's view of the tables in migrations/*.sql. Keep in step with the SQL. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** numeric columns travel as exact decimal strings, never floats. */
type Decimal = ColumnType<string, string | number, string | number>;
/** numeric column with a database default: may be left out on insert. */
type DecimalWithDefault = ColumnType<string, string | number | undefined, string | number>;
type DateOnly = ColumnType<string, string | undefined, string>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;

export interface OrgUnitTable {
  id: Generated<number>;
  parent_id: number | null;
  kind: 'company' | 'station';
  code: string;
  name: string;
  name_en: string | null;
  created_at: Timestamp;
}

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: string;
  org_unit_id: number;
  phone: string | null;
  password_hash: string;
  status: Generated<'active' | 'disabled'>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TransformerAreaTable {
  id: Generated<number>;
  code: string;
  name: string;
  station_id: number;
  manager_user_id: number | null;
  capacity_kva: Decimal | null;
  created_at: Timestamp;
}

export interface UserSessionTable {
  token_hash: string;
  user_id: number;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  detail: Json;
  ip: string | null;
}

export interface CustomerTable {
  id: Generated<number>;
  customer_no: string;
  kind: 'person' | 'organisation';
  name: string;
  id_number: string | null;
  phone: string | null;
  address: string | null;
  station_id: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountTable {
  id: Generated<number>;
  account_no: string;
  customer_id: number;
  company_id: number;
  station_id: number;
  area_id: number;
  name: string;
  address: string | null;
  category: string;
  voltage_level: string;
  payment_mode: string;
  tariff_code: string;
  pf_standard: Decimal | null;
  capacity_kva: Decimal | null;
  contract_demand_kw: Decimal | null;
  basic_charge_basis: 'capacity' | 'demand' | null;
  agent_multiplier: DecimalWithDefault;
  shared_meter: Generated<boolean>;
  is_important: Generated<boolean>;
  is_medical: Generated<boolean>;
  is_heating_company: Generated<boolean>;
  is_vulnerable: Generated<boolean>;
  behaviour_profile: string | null;
  status: Generated<'active' | 'closed'>;
  opened_on: DateOnly;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountContactTable {
  id: Generated<number>;
  account_id: number;
  name: string;
  phone: string | null;
  role: Generated<string>;
  is_primary: Generated<boolean>;
}

export interface MeterTable {
  id: Generated<number>;
  account_id: number;
  meter_no: string;
  registers: string[];
  multiplier: DecimalWithDefault;
  smart: Generated<boolean>;
  installed_on: DateOnly;
  status: Generated<'active' | 'removed'>;
  created_at: Timestamp;
}

export interface ContractTable {
  id: Generated<number>;
  account_id: number;
  contract_no: string;
  kind: string;
  signed_on: DateOnly;
  starts_on: DateOnly;
  ends_on: DateOnly | null;
  due_day: number | null;
  terms: Json;
  created_at: Timestamp;
}

export interface CycleReadTable {
  account_id: number;
  meter_id: number;
  period: string;
  read_on: DateOnly;
  total: Decimal;
  peak: Decimal | null;
  flat: Decimal | null;
  valley: Decimal | null;
  reactive: Decimal | null;
  max_demand: Decimal | null;
  estimated: Generated<boolean>;
  source: Generated<string>;
}

export interface DailyReadTable {
  account_id: number;
  meter_id: number;
  read_on: DateOnly;
  total: Decimal;
  peak: Decimal | null;
  flat: Decimal | null;
  valley: Decimal | null;
  source: Generated<string>;
}

export interface AppSettingTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface TariffVersionTable {
  id: Generated<number>;
  code: string;
  effective_from: DateOnly;
  kind: string;
  name: string;
  status: Generated<'draft' | 'published'>;
  definition: Json;
  created_by: number | null;
  created_by_name: string;
  created_at: Timestamp;
  published_by: number | null;
  published_by_name: string | null;
  published_at: Timestamp | null;
}

export interface AgentPriceTableTable {
  id: Generated<number>;
  month: string;
  status: Generated<'draft' | 'published'>;
  definition: Json;
  source: Generated<'api' | 'csv' | 'xlsx' | 'seed'>;
  late: Generated<boolean>;
  created_by: number | null;
  created_by_name: string;
  created_at: Timestamp;
  published_by: number | null;
  published_by_name: string | null;
  published_at: Timestamp | null;
}

// ---- 003 billing and ledger ------------------------------------------------------------------

export interface LedgerTransferTable {
  account_id: number;
  id: Generated<number>;
  kind: string;
  ref_type: string;
  ref_id: number;
  business_date: string;
  created_at: Generated<Date>;
  memo: string | null;
}

export interface LedgerEntryTable {
  account_id: number;
  transfer_id: number;
  book: string;
  amount_fen: number;
}

export interface LedgerBalanceTable {
  account_id: number;
  book: string;
  balance_fen: number;
}

export type BillRunStatus = 'rating' | 'review' | 'approved' | 'issuing' | 'issued' | 'failed';

export interface BillRunTable {
  id: Generated<number>;
  company_id: number;
  period: string;
  status: ColumnType<BillRunStatus, BillRunStatus | undefined, BillRunStatus>;
  failed_status: 'rating' | 'issuing' | null;
  error: string | null;
  rating_cursor: Generated<number>;
  issue_cursor: Generated<number>;
  account_id_bound: Generated<number>;
  issue_date: ColumnType<string | null, string | null | undefined, string | null>;
  accounts_total: Generated<number>;
  accounts_done: Generated<number>;
  bills: Generated<number>;
  lines: Generated<number>;
  exceptions: Generated<number>;
  blocking_exceptions: Generated<number>;
  total_fen: Generated<number>;
  issued_bills: Generated<number>;
  issued_fen: Generated<number>;
  phase_started_at: Timestamp | null;
  phase_started_done: Generated<number>;
  timings: Json;
  created_by: number | null;
  created_at: Generated<Date>;
  rated_at: Timestamp | null;
  approved_by: number | null;
  approved_at: Timestamp | null;
  approval_note: string | null;
  issue_started_at: Timestamp | null;
  issued_at: Timestamp | null;
}

export interface BillTable {
  account_id: number;
  id: Generated<number>;
  period: string;
  bill_run_id: number | null;
  kind: ColumnType<'regular' | 'adjustment', 'regular' | 'adjustment' | undefined, never>;
  status: ColumnType<'draft' | 'issued', 'draft' | 'issued' | undefined, 'draft' | 'issued'>;
  tariff_code: string;
  tariff_effective_from: DateOnly | null;
  total_fen: number;
  kwh: Decimal | null;
  peak_kwh: Decimal | null;
  flat_kwh: Decimal | null;
  valley_kwh: Decimal | null;
  kvarh: Decimal | null;
  max_demand_kw: Decimal | null;
  days: number | null;
  estimated: Generated<boolean>;
  outlier: Generated<boolean>;
  rollover: Generated<boolean>;
  due_day: number | null;
  created_at: Generated<Date>;
  issued_at: Timestamp | null;
  due_on: DateOnly | null;
  adjusts_bill_id: number | null;
  reason: string | null;
  created_by: number | null;
}

export interface BillLineTable {
  account_id: number;
  bill_id: number;
  line_no: number;
  code: string;
  quantity: Decimal;
  unit_price: Decimal;
  amount_fen: number;
  detail: Json;
}

export interface BillExceptionTable {
  id: Generated<number>;
  bill_run_id: number;
  account_id: number;
  bill_id: number | null;
  kind: string;
  blocking: boolean;
  detail: Json;
  resolved: Generated<boolean>;
  created_at: Generated<Date>;
}

// ---- 004 payments -------------------------------------------------------------------------------

type Gen<T> = ColumnType<T, T | undefined, T>;

export interface PaymentTable {
  account_id: number;
  id: Generated<number>;
  channel: string;
  channel_txn_id: string;
  amount_fen: number;
  paid_at: Timestamp;
  business_date: DateOnly;
  order_id: number | null;
  bank_batch_id: number | null;
  operator_id: number | null;
  principal_fen: Gen<number>;
  penalty_fen: Gen<number>;
  prepaid_fen: Gen<number>;
  reversed: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface PaymentAllocationTable {
  account_id: number;
  payment_id: number;
  line_no: number;
  bill_id: number | null;
  penalty_fen: Gen<number>;
  principal_fen: Gen<number>;
  prepaid_fen: Gen<number>;
}

export interface BillSettlementTable {
  account_id: number;
  bill_id: number;
  principal_paid_fen: Gen<number>;
  penalty_accrued_mfen: Gen<number>;
  penalty_through: DateOnly | null;
  penalty_charged_fen: Gen<number>;
  penalty_paid_fen: Gen<number>;
  penalty_waived_fen: Gen<number>;
  settled_on: DateOnly | null;
  updated_at: Generated<Date>;
}

export interface PenaltyMinimumTable {
  effective_from: string;
  minimum_fen: number;
  note: string | null;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: Json;
  created_at: Generated<Date>;
}

export interface PaymentOrderTable {
  id: Generated<number>;
  out_trade_no: string;
  account_id: number;
  channel: string;
  amount_fen: number;
  status: Gen<'open' | 'paid' | 'closed'>;
  created_by: number | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  paid_at: Timestamp | null;
  payment_id: number | null;
  channel_txn_id: string | null;
}

export interface ChannelNonceTable {
  channel: string;
  nonce: string;
  seen_at: Generated<Date>;
}

export interface SecurityEventTable {
  id: Generated<number>;
  at: Generated<Date>;
  channel: string;
  kind: string;
  reason: string;
  remote_addr: string | null;
  detail: Json;
}

export interface ApprovalRequestTable {
  id: Generated<number>;
  kind: 'payment.reversal' | 'prepaid.refund' | 'penalty.waiver';
  account_id: number;
  payment_id: number | null;
  bill_id: number | null;
  amount_fen: number;
  reason: string;
  status: Gen<'pending' | 'approved' | 'rejected'>;
  requested_by: number;
  requested_at: Generated<Date>;
  decided_by: number | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
}

export interface BankBatchTable {
  id: Generated<number>;
  /** 006: the company whose accounts the file pays */
  company_id: number;
  bank: string;
  file_name: string;
  file_sha256: string;
  business_date: DateOnly;
  /** 006: posting (lines 1..posted_through final) → posted */
  status: Gen<'posting' | 'posted'>;
  lines: number;
  accepted: number;
  rejected: number;
  accepted_fen: number;
  created_by: number | null;
  created_at: Generated<Date>;
  seconds: Decimal | null;
  /** 006 */
  posted_through: Gen<number>;
  encoding: Gen<'utf-8' | 'gb18030'>;
  posted_at: Timestamp | null;
}

export interface BankBatchLineTable {
  batch_id: number;
  line_no: number;
  account_no: string | null;
  account_id: number | null;
  amount_fen: number | null;
  bank_txn_id: string | null;
  accepted: boolean;
  reason: string | null;
  payment_id: number | null;
}

export interface ReconImportTable {
  id: Generated<number>;
  channel: string;
  file_name: string;
  file_sha256: string;
  rows: number;
  created_by: number | null;
  created_at: Generated<Date>;
  /** 007: the result the import answered with (replayed for the same file). */
  result: Json;
}

export interface ReconItemTable {
  id: Generated<number>;
  channel: string;
  business_date: DateOnly;
  channel_txn_id: string;
  out_trade_no: string | null;
  statement_fen: number | null;
  ledger_fen: number | null;
  payment_id: number | null;
  account_id: number | null;
  import_id: number | null;
  status: 'matched' | 'channel_only' | 'ledger_only' | 'amount_mismatch';
  resolved: Generated<boolean>;
  resolved_by: number | null;
  resolved_at: Timestamp | null;
  resolution: 'accepted_statement' | 'channel_error' | 'written_off' | null;
  created_at: Generated<Date>;
  /** 007 */
  reason: string | null;
  resolution_note: string | null;
  statement_line: number | null;
  /** 010: credited more than the review limit, so held for review; when the channel took the money */
  held: Generated<boolean>;
  paid_at: Timestamp | null;
}

export interface ReconDayTable {
  channel: string;
  business_date: DateOnly;
  import_id: number;
  statement_count: number;
  statement_fen: number;
}

/** 013: the notification outbox, one row per notice and channel (src/modules/notify). */
export interface NotificationTable {
  id: Generated<number>;
  account_id: number;
  kind: 'balance_low' | 'days_left' | 'pending_disconnection' | 'disconnected' | 'reconnected';
  channel: 'sms' | 'app';
  /** sms: the whole phone number (never returned whole); app: the account number */
  recipient: string;
  body: string;
  params: Json;
  dedupe_key: string;
  state: Generated<'queued' | 'sending' | 'sent' | 'failed' | 'held'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

/** 011: one row per account and posting (ledger); consumers' cursors. */
export interface AccountEventTable {
  seq: Generated<number>;
  account_id: number;
  kind: string;
  ref_type: string;
  ref_id: number;
  business_date: DateOnly;
  receivable_delta_fen: number;
  prepaid_delta_fen: number;
  penalty_delta_fen: number;
  receivable_fen: number;
  prepaid_fen: number;
  penalty_fen: number;
  at: Generated<Date>;
}

export interface EventCursorTable {
  consumer: string;
  seq: number;
  updated_at: Generated<Date>;
}

/** 012: prepaid fee control and remote switching. */
export interface FeeControlTable {
  account_id: number;
  state: Generated<string>;
  since: Generated<Date>;
  warn_fen: Generated<number>;
  prepaid_fen: Generated<number>;
  owed_fen: Generated<number>;
  estimate_fen: Generated<number>;
  available_fen: Generated<number>;
  daily_fen: Generated<number>;
  days_left: string | null;
  below_zero_on: DateOnly | null;
  run_on: DateOnly | null;
  held_reason: string | null;
  updated_at: Generated<Date>;
}

export interface FeeEstimateTable {
  account_id: number;
  read_on: DateOnly;
  period: string;
  kwh: string;
  ctd_fen: number;
  day_fen: number;
}

export interface FeeControlChangeTable {
  id: Generated<number>;
  account_id: number;
  from_state: string;
  to_state: string;
  reason: string;
  business_date: DateOnly;
  at: Generated<Date>;
}

export interface FeeControlRunTable {
  id: Generated<number>;
  business_date: DateOnly;
  status: Generated<string>;
  started_at: Generated<Date>;
  finished_at: Date | null;
  accounts: Generated<number>;
  summary: Generated<Record<string, unknown>>;
  error: string | null;
}

export interface BlackoutDayTable {
  day: DateOnly;
  kind: string;
  note: Generated<string>;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface DisconnectApprovalTable {
  id: Generated<number>;
  account_id: number;
  reason: string;
  bulk: Generated<boolean>;
  status: Generated<string>;
  requested_at: Generated<Date>;
  first_by: number | null;
  first_at: Date | null;
  second_by: number | null;
  second_at: Date | null;
}

export interface MeterCommandTable {
  id: Generated<number>;
  command_id: string;
  account_id: number;
  meter_no: string;
  action: string;
  cause: string;
  state: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  staged_at: Generated<Date>;
  first_sent_at: Date | null;
  sent_at: Date | null;
  acked_at: Date | null;
  latency_ms: number | null;
  last_error: string | null;
}

export interface DB {
  org_unit: OrgUnitTable;
  app_user: AppUserTable;
  transformer_area: TransformerAreaTable;
  user_session: UserSessionTable;
  audit_log: AuditLogTable;
  customer: CustomerTable;
  account: AccountTable;
  account_contact: AccountContactTable;
  meter: MeterTable;
  contract: ContractTable;
  cycle_read: CycleReadTable;
  daily_read: DailyReadTable;
  app_setting: AppSettingTable;
  tariff_version: TariffVersionTable;
  agent_price_table: AgentPriceTableTable;
  ledger_transfer: LedgerTransferTable;
  ledger_entry: LedgerEntryTable;
  ledger_balance: LedgerBalanceTable;
  bill_run: BillRunTable;
  bill: BillTable;
  bill_line: BillLineTable;
  bill_exception: BillExceptionTable;
  payment: PaymentTable;
  payment_allocation: PaymentAllocationTable;
  bill_settlement: BillSettlementTable;
  penalty_minimum: PenaltyMinimumTable;
  idempotency_key: IdempotencyKeyTable;
  payment_order: PaymentOrderTable;
  channel_nonce: ChannelNonceTable;
  security_event: SecurityEventTable;
  account_event: AccountEventTable;
  event_cursor: EventCursorTable;
  approval_request: ApprovalRequestTable;
  bank_batch: BankBatchTable;
  bank_batch_line: BankBatchLineTable;
  recon_import: ReconImportTable;
  recon_item: ReconItemTable;
  recon_day: ReconDayTable;
  notification: NotificationTable;
  fee_control: FeeControlTable;
  fee_estimate: FeeEstimateTable;
  fee_control_change: FeeControlChangeTable;
  fee_control_run: FeeControlRunTable;
  blackout_day: BlackoutDayTable;
  disconnect_approval: DisconnectApprovalTable;
  meter_command: MeterCommandTable;
}

export type AppUserRow = Selectable<AppUserTable>;
export type AccountRow = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
export type AccountUpdate = Updateable<AccountTable>;
export type CustomerRow = Selectable<CustomerTable>;
export type MeterRow = Selectable<MeterTable>;
export type ContractRow = Selectable<ContractTable>;
