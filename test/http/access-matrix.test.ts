import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, DatabaseHandle } from '../../src/db/connect.js';
import type { Role } from '../../src/modules/org/domain/roles.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_TARIFF_VERSIONS, seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { maskIdNumber, maskPhone } from '../../src/shared/mask.js';
import { startBillRun, systemOperator } from '../../src/modules/billing/index.js';
import { driveBillRun } from '../../src/workflows/issue-bills.js';
import { applyPayment } from '../../src/modules/payments/index.js';
import { seedCounty, type Fixture, type FixtureUser } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * Access-control matrix (DESIGN §6, §9): every scoped endpoint × every role × an object of another subtree
 * answers exactly as for an object that does not exist (404, or 403 when the role may never do that verb),
 * with none of the other object's data in the body; and each role sees and may change what it should.
 *
 * The endpoint list comes from the app itself: a route under /api/v1 that has no row in the tables below
 * fails the "every route has a matrix row" test, so a new endpoint cannot slip past the matrix.
 */

type Res = Awaited<ReturnType<TestApp['as']>>;
type Key = 'A1' | 'A2' | 'B1' | 'Z1';
type Perm = 'customers.write' | 'contacts.write' | 'org.manage' | 'tariffs.write' | 'tariffs.publish' | 'billing.view' | 'billing.run' | 'billing.adjust' | 'payments.collect' | 'payments.request' | 'channels.order' | 'reconciliation.items' | 'reconciliation.manage' | 'bankfiles.view' | 'feecontrol.manage' | 'feecontrol.approve';

/** One transformer area's worth of objects, and strings that identify them (must never leak). */
interface Subtree {
  key: Key | 'ghost';
  company: number;
  station: number;
  area: number;
  manager: number;
  account: number;
  customer: number;
  meter: number;
  contract: number;
  /** The account's bill of 2026-10, and its company's bill run of that period. */
  bill: number;
  billRun: number;
  /** A counter payment into the account, and a refund request on it by its area manager. */
  payment: number;
  approval: number;
  /** An online payment order (out_trade_no) for the account. */
  paymentOrder: string;
  /** A reconciliation item (ledger-only) of the account's payment. */
  reconItem: number;
  /** An imported bank debit file (bank_batch) of the subtree's company. */
  bankBatch: number;
  /** The account's escalated meter command and pending disconnection approval (fee control). */
  command: number;
  feeApproval: number;
  /** What a search box would be given to find this subtree's account, customer or manager. */
  search: { accountNo: string; name: string; meterNo: string; phone: string; customerNo: string; username: string };
  secrets: string[];
}

/** Who may write what, written down independently of src/modules/org/domain/roles.ts (DESIGN §1). */
const MAY: Record<Perm, readonly Role[]> = {
  'customers.write': ['admin', 'marketing', 'station_head'],
  'contacts.write': ['admin', 'marketing', 'station_head', 'area_manager'],
  'org.manage': ['admin'],
  'tariffs.write': ['admin', 'marketing'],
  'tariffs.publish': ['admin', 'marketing'],
  // bill runs are the marketing department's console; company-level readers watch them
  'billing.view': ['admin', 'company_manager', 'marketing', 'auditor'],
  'billing.run': ['admin', 'marketing'],
  'billing.adjust': ['admin', 'marketing', 'station_head'],
  // money is taken at the counter by cashiers and station heads; requests come from whoever meets the customer
  'payments.collect': ['cashier', 'station_head', 'admin'],
  'payments.request': ['cashier', 'area_manager', 'station_head', 'marketing', 'admin'],
  // online payment orders (a QR code or link for the customer): whoever serves customers; not the read-only roles
  'channels.order': ['cashier', 'area_manager', 'station_head', 'marketing', 'admin'],
  // reconciliation (对账): marketing runs collection and reviews differences; station heads follow up their station's items
  'reconciliation.items': ['admin', 'company_manager', 'marketing', 'auditor', 'station_head'],
  'reconciliation.manage': ['admin', 'marketing'],
  // bank debit files are company-wide (one file debits every station's customers): company-level readers
  'bankfiles.view': ['admin', 'company_manager', 'marketing', 'auditor'],
  // fee control: marketing runs it and keeps the calendar; disconnections are approved by station heads and company level
  'feecontrol.manage': ['admin', 'marketing'],
  'feecontrol.approve': ['admin', 'company_manager', 'station_head'],
};

/** Each fixture user, their role, the area whose objects they use as "their own", and the areas they see. */
const USERS: { user: FixtureUser; role: Role; home: Key; sees: Key[] }[] = [
  { user: 'admin', role: 'admin', home: 'A1', sees: ['A1', 'A2', 'B1'] },
  { user: 'manager', role: 'company_manager', home: 'A1', sees: ['A1', 'A2', 'B1'] },
  { user: 'marketing', role: 'marketing', home: 'A1', sees: ['A1', 'A2', 'B1'] },
  { user: 'auditor', role: 'auditor', home: 'A1', sees: ['A1', 'A2', 'B1'] },
  { user: 'headA', role: 'station_head', home: 'A1', sees: ['A1', 'A2'] },
  { user: 'cashierA', role: 'cashier', home: 'A1', sees: ['A1', 'A2'] },
  { user: 'amA1', role: 'area_manager', home: 'A1', sees: ['A1'] },
  { user: 'amA2', role: 'area_manager', home: 'A2', sees: ['A2'] },
  { user: 'headB', role: 'station_head', home: 'B1', sees: ['B1'] },
  { user: 'cashierB', role: 'cashier', home: 'B1', sees: ['B1'] },
  { user: 'amB1', role: 'area_manager', home: 'B1', sees: ['B1'] },
];
const KEYS: Key[] = ['A1', 'A2', 'B1', 'Z1'];
const foreignOf = (u: (typeof USERS)[number]) => KEYS.filter((k) => !u.sees.includes(k));

/** Endpoints that need no session. Everything else under /api/v1 must answer 401 without one. */
const PUBLIC = new Set([
  'POST /api/v1/auth/login',
  // the customer payment page's lookup (account no. + full name) and the channels' signed callbacks
  'POST /api/v1/pay/lookup',
  'POST /api/v1/channels/wechatpay/notify',
  'POST /api/v1/channels/alipay/notify',
  'POST /api/v1/channels/gridapp/notify',
]);

interface Call {
  /** The permission the verb needs; null for reads. A role without it gets 403 whatever the object. */
  perm: Perm | null;
  url: (o: Subtree, home: Subtree) => string;
  body?: (o: Subtree, home: Subtree) => unknown;
  /** How an invisible object answers: 404, or 422 naming the field that referred to it. Default 404. */
  hidden?: { status: 422; field: string };
  headers?: Record<string, string>;
}
const read = (url: Call['url']): Call => ({ perm: null, url });
const write = (perm: Perm, url: Call['url'], body: NonNullable<Call['body']>, hidden?: Call['hidden']): Call => ({ perm, url, body, ...(hidden && { hidden }) });

const api = '/api/v1';

/** Routes with a path parameter: how to call each for an object of another subtree (`o`). HEAD reuses GET. */
const BY_OBJECT: Record<string, Call[]> = {
  'GET /api/v1/accounts/:id': [read((o) => `${api}/accounts/${o.account}`), read((o) => `${api}/accounts/${o.account}?unmask=true`)],
  'PATCH /api/v1/accounts/:id': [
    write('customers.write', (o) => `${api}/accounts/${o.account}`, () => ({ isImportant: true, name: '越权改名' })),
    // one's own account moved into another subtree's area
    write('customers.write', (_o, home) => `${api}/accounts/${home.account}`, (o) => ({ areaId: o.area }), { status: 422, field: 'areaId' }),
  ],
  'PUT /api/v1/accounts/:id/contacts': [write('contacts.write', (o) => `${api}/accounts/${o.account}/contacts`, () => ({ contacts: [{ name: '越权联系人', phone: '13900001111' }] }))],
  'GET /api/v1/accounts/:id/reads': [
    read((o) => `${api}/accounts/${o.account}/reads`),
    read((o) => `${api}/accounts/${o.account}/reads?kind=daily`),
    read((o) => `${api}/accounts/${o.account}/reads?kind=cycle&from=2020-01-01&to=2030-12-31`),
  ],
  'GET /api/v1/customers/:id': [read((o) => `${api}/customers/${o.customer}`), read((o) => `${api}/customers/${o.customer}?unmask=true`)],
  'PATCH /api/v1/customers/:id': [
    write('customers.write', (o) => `${api}/customers/${o.customer}`, () => ({ address: '越权地址' })),
    write('customers.write', (_o, home) => `${api}/customers/${home.customer}`, (o) => ({ stationId: o.station }), { status: 422, field: 'stationId' }),
  ],
  'GET /api/v1/meters/:id': [read((o) => `${api}/meters/${o.meter}`)],
  'PATCH /api/v1/meters/:id': [write('customers.write', (o) => `${api}/meters/${o.meter}`, () => ({ smart: false }))],
  'GET /api/v1/contracts/:id': [read((o) => `${api}/contracts/${o.contract}`)],
  'PATCH /api/v1/contracts/:id': [write('customers.write', (o) => `${api}/contracts/${o.contract}`, () => ({ dueDay: 15 }))],
  'GET /api/v1/areas/:id': [read((o) => `${api}/areas/${o.area}`)],
  'PATCH /api/v1/areas/:id': [write('org.manage', (o) => `${api}/areas/${o.area}`, () => ({ name: '越权台区' }))],
  'GET /api/v1/users/:id': [read((o) => `${api}/users/${o.manager}`)],
  'PATCH /api/v1/users/:id': [
    write('org.manage', (o) => `${api}/users/${o.manager}`, () => ({ displayName: '越权' })),
    write('org.manage', (_o, home) => `${api}/users/${home.manager}`, (o) => ({ orgUnitId: o.station }), { status: 422, field: 'orgUnitId' }),
  ],
  // Tariff versions and agent-purchase tables are reference data of the whole database: no subtree owns
  // them, so there is no other subtree's one to ask for. These rows check that an id that does not exist
  // answers 404 to every role (403 first for roles without the permission); the impact routes, which do
  // read accounts, are also in LISTS with real drafts.
  'GET /api/v1/tariff-versions/:id': [read(() => `${api}/tariff-versions/${NO_SUCH_ID}`)],
  'DELETE /api/v1/tariff-versions/:id': [{ perm: 'tariffs.write', url: () => `${api}/tariff-versions/${NO_SUCH_ID}` }],
  'POST /api/v1/tariff-versions/:id/publish': [{ perm: 'tariffs.publish', url: () => `${api}/tariff-versions/${NO_SUCH_ID}/publish` }],
  'GET /api/v1/tariff-versions/:id/impact': [read(() => `${api}/tariff-versions/${NO_SUCH_ID}/impact`)],
  'GET /api/v1/agent-prices/:id': [read(() => `${api}/agent-prices/${NO_SUCH_ID}`)],
  'DELETE /api/v1/agent-prices/:id': [{ perm: 'tariffs.write', url: () => `${api}/agent-prices/${NO_SUCH_ID}` }],
  'POST /api/v1/agent-prices/:id/publish': [{ perm: 'tariffs.publish', url: () => `${api}/agent-prices/${NO_SUCH_ID}/publish` }],
  'GET /api/v1/agent-prices/:id/file': [read(() => `${api}/agent-prices/${NO_SUCH_ID}/file`)],
  'GET /api/v1/agent-prices/:id/impact': [read(() => `${api}/agent-prices/${NO_SUCH_ID}/impact`)],
  // A bill run belongs to a company: another subtree's run is another company's (Z1). Station roles may
  // not see runs at all (403), so for them every run answers alike.
  'GET /api/v1/bill-runs/:id': [{ perm: 'billing.view', url: (o) => `${api}/bill-runs/${o.billRun}` }],
  'GET /api/v1/bill-runs/:id/exceptions': [
    { perm: 'billing.view', url: (o) => `${api}/bill-runs/${o.billRun}/exceptions` },
    { perm: 'billing.view', url: (o) => `${api}/bill-runs/${o.billRun}/exceptions?blocking=false&stationId=${o.station}` },
  ],
  'POST /api/v1/bill-runs/:id/approve': [write('billing.run', (o) => `${api}/bill-runs/${o.billRun}/approve`, () => ({ note: '越权审核' }))],
  'POST /api/v1/bill-runs/:id/issue': [{ perm: 'billing.run', url: (o) => `${api}/bill-runs/${o.billRun}/issue` }],
  'GET /api/v1/accounts/:id/bills': [read((o) => `${api}/accounts/${o.account}/bills`), read((o) => `${api}/accounts/${o.account}/bills?limit=1`)],
  'GET /api/v1/bills/:id': [read((o) => `${api}/bills/${o.bill}`)],
  // a payment order is its account's: staff see those of their scope (the payment page's pay token is tested in channels.test.ts)
  'GET /api/v1/payment-orders/:outTradeNo': [read((o) => `${api}/payment-orders/${o.paymentOrder}`)],
  'GET /api/v1/payments/:id': [read((o) => `${api}/payments/${o.payment}`)],
  'GET /api/v1/accounts/:id/payments': [read((o) => `${api}/accounts/${o.account}/payments`)],
  'GET /api/v1/accounts/:id/statement': [read((o) => `${api}/accounts/${o.account}/statement`), read((o) => `${api}/accounts/${o.account}/statement?asOf=2027-01-01`)],
  'GET /api/v1/approvals/:id': [read((o) => `${api}/approvals/${o.approval}`)],
  // deciding is one level up from the requester; another subtree's request is not found for every role
  'POST /api/v1/approvals/:id/decision': [{ perm: null, url: (o) => `${api}/approvals/${o.approval}/decision`, body: () => ({ approve: true, note: '越权审批' }) }],
  // documents follow the object they print: a bill's PDF its bill, a run's summary its run
  'GET /api/v1/bills/:id/pdf': [read((o) => `${api}/bills/${o.bill}/pdf`)],
  'GET /api/v1/bill-runs/:id/summary.xlsx': [{ perm: 'billing.view', url: (o) => `${api}/bill-runs/${o.billRun}/summary.xlsx` }],
  // a reconciliation item is its account's: another subtree's (another station's, another company's) is not found
  // a bank debit file is its company's: another company's (Z1) is not found; station roles may not see files (403)
  'GET /api/v1/bank-files/:id': [{ perm: 'bankfiles.view', url: (o) => `${api}/bank-files/${o.bankBatch}` }],
  'GET /api/v1/bank-files/:id/result.csv': [{ perm: 'bankfiles.view', url: (o) => `${api}/bank-files/${o.bankBatch}/result.csv` }],
  'POST /api/v1/reconciliation/items/:id/resolve': [write('reconciliation.manage', (o) => `${api}/reconciliation/items/${o.reconItem}/resolve`, () => ({ resolution: 'written_off', note: '越权核销' }))],
  // a channel-day is the merchant's, no subtree's: a day never reconciled is 404 to every reader (403 first for
  // roles without the permission); the items within a day are narrowed to the reader's scope (reconciliation.test.ts)
  'GET /api/v1/reconciliation/days/:channel/:date/items': [{ perm: 'reconciliation.items', url: () => `${api}/reconciliation/days/wechatpay/1999-01-01/items` }],
  'POST /api/v1/bills/:id/adjustments': [
    write('billing.adjust', (o) => `${api}/bills/${o.bill}/adjustments`, () => ({ reason: '越权退补', lines: [{ code: 'energy.tier1', quantity: '-10.00', unitPrice: '0.51' }] })),
    write('billing.adjust', (o) => `${api}/bills/${o.bill}/adjustments`, () => ({ reason: '越权退补', usage: { kwh: '1.00' } })),
  ],
  // fee control: an account's position and history, its warning amount, its commands and approvals
  'GET /api/v1/accounts/:id/fee-control': [read((o) => `${api}/accounts/${o.account}/fee-control`), read((o) => `${api}/accounts/${o.account}/fee-control?days=30`)],
  'PUT /api/v1/accounts/:id/fee-control/warning': [write('customers.write', (o) => `${api}/accounts/${o.account}/fee-control/warning`, () => ({ warnFen: 2000 }))],
  'POST /api/v1/fee-control/commands/:id/retry': [{ perm: 'feecontrol.manage', url: (o) => `${api}/fee-control/commands/${o.command}/retry` }],
  'POST /api/v1/fee-control/commands/:id/cancel': [{ perm: 'feecontrol.manage', url: (o) => `${api}/fee-control/commands/${o.command}/cancel` }],
  'POST /api/v1/fee-control/approvals/:id/decide': [write('feecontrol.approve', (o) => `${api}/fee-control/approvals/${o.feeApproval}/decide`, () => ({ approve: true, note: '越权审批' }))],
  // the blackout calendar is reference data of the whole database: a day not in it is 404 to every editor
  'DELETE /api/v1/fee-control/blackout-days/:day': [{ perm: 'feecontrol.manage', url: () => `${api}/fee-control/blackout-days/1999-01-01` }],
};

/** Routes without a path parameter that name another object in the body. */
const BY_REFERENCE: Record<string, Call[]> = {
  'POST /api/v1/payments': [{ perm: 'payments.collect', url: () => `${api}/payments`, body: (o) => ({ accountId: o.account, amountFen: 100 }), headers: { 'idempotency-key': 'matrix-counter' } }],
  'POST /api/v1/approvals': [
    write('payments.request', () => `${api}/approvals`, (o) => ({ kind: 'payment.reversal', paymentId: o.payment, reason: '越权冲正' })),
    write('payments.request', () => `${api}/approvals`, (o) => ({ kind: 'prepaid.refund', accountId: o.account, amountFen: 100, reason: '越权退费' })),
    write('payments.request', () => `${api}/approvals`, (o) => ({ kind: 'penalty.waiver', accountId: o.account, billId: o.bill, amountFen: 100, reason: '越权减免' })),
  ],
  'POST /api/v1/accounts': [
    write('customers.write', () => `${api}/accounts`, (o, home) => ({ ...newAccount('X9000001'), customerId: o.customer, areaId: home.area })),
    write('customers.write', () => `${api}/accounts`, (o, home) => ({ ...newAccount('X9000002'), customerId: home.customer, areaId: o.area }), { status: 422, field: 'areaId' }),
  ],
  'POST /api/v1/customers': [
    write('customers.write', () => `${api}/customers`, (o) => ({ customerNo: 'C-X9', kind: 'person', name: '越权客户', stationId: o.station }), { status: 422, field: 'stationId' }),
  ],
  'POST /api/v1/meters': [write('customers.write', () => `${api}/meters`, (o) => ({ accountId: o.account, meterNo: 'MT-X9', registers: ['total'] }))],
  'POST /api/v1/contracts': [
    write('customers.write', () => `${api}/contracts`, (o) => ({ accountId: o.account, contractNo: 'HT-X9', kind: 'supply', signedOn: '2026-01-01', startsOn: '2026-01-01' })),
  ],
  'POST /api/v1/areas': [
    write('org.manage', () => `${api}/areas`, (o) => ({ code: 'X9', name: '越权台区', stationId: o.station }), { status: 422, field: 'stationId' }),
    write('org.manage', () => `${api}/areas`, (o, home) => ({ code: 'X9', name: '越权台区', stationId: home.station, managerUserId: o.manager }), { status: 422, field: 'managerUserId' }),
  ],
  'POST /api/v1/payment-orders': [write('channels.order', () => `${api}/payment-orders`, (o) => ({ accountId: o.account, amountFen: 100, channel: 'gridapp' }))],
  'POST /api/v1/fee-control/approvals': [write('feecontrol.manage', () => `${api}/fee-control/approvals`, (o) => ({ accountIds: [o.account], reason: '越权停电申请', bulk: true }))],
  'POST /api/v1/users': [
    write('org.manage', () => `${api}/users`, (o) => ({ username: 'x9user', displayName: '越权用户', role: 'cashier', orgUnitId: o.station, password: 'long-enough-pw' }), { status: 422, field: 'orgUnitId' }),
  ],
};

/** Scoped lists: filters and searches that point at another subtree must find nothing of it. */
const LISTS: Record<string, ((o: Subtree) => string)[]> = {
  'GET /api/v1/accounts': [
    () => `${api}/accounts?limit=500`,
    (o) => `${api}/accounts?customerId=${o.customer}`,
    (o) => `${api}/accounts?areaId=${o.area}`,
    (o) => `${api}/accounts?stationId=${o.station}`,
    (o) => `${api}/accounts?managerUserId=${o.manager}`,
    ...(['accountNo', 'name', 'meterNo', 'phone', 'customerNo'] as const).map((f) => (o: Subtree) => `${api}/accounts?q=${encodeURIComponent(o.search[f])}`),
  ],
  'GET /api/v1/customers': [
    () => `${api}/customers?limit=500`,
    ...(['name', 'phone', 'customerNo'] as const).map((f) => (o: Subtree) => `${api}/customers?q=${encodeURIComponent(o.search[f])}`),
  ],
  'GET /api/v1/areas': [() => `${api}/areas`, (o) => `${api}/areas?stationId=${o.station}`, (o) => `${api}/areas?managerUserId=${o.manager}`],
  'GET /api/v1/users': [() => `${api}/users?limit=500`, (o) => `${api}/users?q=${encodeURIComponent(o.search.username)}`, () => `${api}/users?role=area_manager`],
  'GET /api/v1/org/tree': [() => `${api}/org/tree`],
  // reference data, the same for everyone
  'GET /api/v1/tariffs': [() => `${api}/tariffs`],
  'GET /api/v1/agent-prices': [() => `${api}/agent-prices`],
  // a dry run over the caller's accounts: it must rate and list none of another subtree's
  'GET /api/v1/tariff-versions/:id/impact': [() => `${api}/tariff-versions/${drafts.version}/impact?top=100`, () => `${api}/tariff-versions/${drafts.version}/impact?top=100&format=xlsx`],
  'GET /api/v1/agent-prices/:id/impact': [() => `${api}/agent-prices/${drafts.table}/impact?top=100`],
  // account events of accounts in scope only (events carry the account id: checked by id below)
  'GET /api/v1/events': [() => `${api}/events?limit=1000`, (o) => `${api}/events?accountId=${o.account}`],
  // requests on accounts in scope only
  'GET /api/v1/approvals': [() => `${api}/approvals`, () => `${api}/approvals?status=pending&limit=500`],
  // fee control of accounts in scope only
  'GET /api/v1/fee-control/summary': [() => `${api}/fee-control/summary`],
  'GET /api/v1/fee-control/accounts': [
    () => `${api}/fee-control/accounts?limit=500`,
    () => `${api}/fee-control/accounts?state=pending`,
    (o) => `${api}/fee-control/accounts?stationId=${o.station}`,
    (o) => `${api}/fee-control/accounts?areaId=${o.area}`,
  ],
  'GET /api/v1/fee-control/dry-run': [() => `${api}/fee-control/dry-run`, () => `${api}/fee-control/dry-run?hour=12`],
  'GET /api/v1/fee-control/commands': [() => `${api}/fee-control/commands?limit=500`, () => `${api}/fee-control/commands?state=escalated`, (o) => `${api}/fee-control/commands?accountId=${o.account}`],
  'GET /api/v1/fee-control/approvals': [() => `${api}/fee-control/approvals`, () => `${api}/fee-control/approvals?status=pending&limit=500`],
  // reference data, the same for everyone
  'GET /api/v1/fee-control/blackout-days': [() => `${api}/fee-control/blackout-days`],
};

/** Routes that name no object of a subtree; each is covered by the role tests further down. */
const NO_OBJECT: Record<string, string> = {
  'GET /api/v1/auth/me': 'the caller themself',
  'POST /api/v1/auth/logout': 'the caller’s own session',
  'POST /api/v1/org/stations': 'creates a station in the caller’s company (admin only)',
  // The audit log is company-wide and read only by company-level roles (admin, auditor).
  'GET /api/v1/audit': 'company-level roles only',
  'POST /api/v1/tariff-versions': 'drafts a tariff version (reference data; marketing and admin)',
  'POST /api/v1/agent-prices': "drafts a month's agent-purchase table (reference data; marketing and admin)",
  'POST /api/v1/agent-prices/import': 'the same from a CSV or xlsx file',
  'POST /api/v1/quotes': 'rates a usage given in the body; reads only prices, stores nothing',
  'POST /api/v1/bill-runs': "starts the bill run of the caller's own company (marketing, admin)",
  'GET /api/v1/bill-runs': "the caller's own company's runs (company-level roles only)",
  'POST /api/v1/reconciliation/imports': "a channel statement of the company's merchant account (marketing, admin)",
  'GET /api/v1/reconciliation/days': 'merchant-level figures per channel and day (company-level roles only)',
  'GET /api/v1/reconciliation/days.xlsx': 'the same as a workbook',
  'POST /api/v1/bank-files': "imports a bank debit file into the caller's own company (marketing, admin; bank-files.test.ts)",
  'POST /api/v1/reads': "daily reads of the caller's own company's meters (reads.import: marketing, admin); another company's meter is refused as unknown, like one that does not exist (reads.test.ts)",
  'GET /api/v1/bank-files': "the caller's own company's imported files (company-level roles only)",
  'GET /api/v1/events/stream': 'GET /api/v1/events as a server-sent-events stream, the same scope (events.test.ts)',
  'GET /api/v1/channels/security-events': "the company's merchant security log: refused callbacks, refund notices (company-level roles only)",
  'POST /api/v1/fee-control/runs': "runs the day's fee control now (feecontrol.manage; fee-control.test.ts)",
  'POST /api/v1/fee-control/blackout-days': 'adds a day to the blackout calendar (reference data; feecontrol.manage; fee-control.test.ts)',
  // the outbox lists messages of accounts in scope to roles with notifications.view (403 to cashiers):
  // another subtree's messages, an accountId filter naming one, and phone masking are in notify.test.ts
  'GET /api/v1/notifications': "the notification outbox of the caller's accounts (notifications.view; notify.test.ts)",
  'POST /api/v1/notifications/deliver': "sends the due messages of the caller's own company (feecontrol.manage; notify.test.ts)",
};

function newAccount(accountNo: string) {
  return { accountNo, name: '新户', category: 'residential', voltageLevel: '0.22kV', paymentMode: 'postpaid', tariffCode: 'gansu.residential.tiered' };
}

/** Every route of the app as "METHOD /path", read from Fastify's route tree. */
function routesOf(app: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    for (const method of m[3]?.split(', ') ?? []) out.push(`${method} ${path}`);
  }
  return [...new Set(out)].sort();
}

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
let routes: string[];
const sub = {} as Record<Key, Subtree>;
/** Ids that exist nowhere: an invisible object must answer exactly like one of these. */
const ghost: Subtree = {
  key: 'ghost',
  company: 1_999_999_001,
  station: 1_999_999_002,
  area: 1_999_999_003,
  manager: 1_999_999_004,
  account: 1_999_999_005,
  customer: 1_999_999_006,
  meter: 1_999_999_007,
  contract: 1_999_999_008,
  bill: 1_999_999_010,
  billRun: 1_999_999_011,
  payment: 1_999_999_012,
  approval: 1_999_999_013,
  paymentOrder: 'GR20991231AAAAAAAAAAAAAAAA',
  reconItem: 1_999_999_014,
  bankBatch: 1_999_999_015,
  command: 1_999_999_016,
  feeApproval: 1_999_999_017,
  search: { accountNo: '0000000000', name: '无此户', meterNo: 'MT-NONE', phone: '10000000000', customerNo: 'C-NONE', username: 'nobody' },
  secrets: [],
};

/** An id no tariff version or agent-purchase table has. */
const NO_SUCH_ID = 1_999_999_009;
let drafts: { version: number; table: number };

/** The Gansu catalogue plus a draft tariff version and a draft month table, for the impact rows. */
async function seedTariffDrafts(db: Db) {
  await seedTariffDefaults(db);
  const tiered = { ...GANSU_TARIFF_VERSIONS.find((v) => v.code === 'gansu.residential.tiered')!, effectiveFrom: '2027-01-01' };
  const version = await db
    .insertInto('tariff_version')
    .values({ code: tiered.code, effective_from: tiered.effectiveFrom, kind: tiered.kind, name: tiered.name, definition: JSON.stringify(tiered), created_by_name: 'test' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const month = { ...GANSU_AGENT_PRICE_TABLES.find((t) => t.month === '2026-10')!, month: '2027-01' };
  const table = await db.insertInto('agent_price_table').values({ month: '2027-01', definition: JSON.stringify(month), created_by_name: 'test' }).returning('id').executeTakeFirstOrThrow();
  return { version: version.id, table: table.id };
}

/** A second company with one station, area, area manager and account (for company-level roles, "another subtree"). */
async function seedOtherCompany(db: Db) {
  const company = await db.insertInto('org_unit').values({ parent_id: null, kind: 'company', code: 'otherco', name: '丙县供电公司' }).returning('id').executeTakeFirstOrThrow();
  const station = await db.insertInto('org_unit').values({ parent_id: company.id, kind: 'station', code: 'stz', name: '丙供电所' }).returning('id').executeTakeFirstOrThrow();
  const manager = await db
    .insertInto('app_user')
    .values({ username: 'amz1', display_name: '丙台区经理', role: 'area_manager', org_unit_id: station.id, password_hash: 'not-a-hash', phone: '13700000009' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const area = await db.insertInto('transformer_area').values({ code: 'Z1', name: '丙一台区', station_id: station.id, manager_user_id: manager.id, capacity_kva: '200' }).returning('id').executeTakeFirstOrThrow();
  const customer = await db
    .insertInto('customer')
    .values({ customer_no: 'C-Z1', kind: 'person', name: '丙县客户', id_number: '620721199001019999', phone: '13899990009', address: '丙村', station_id: station.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const account = await db
    .insertInto('account')
    .values({ account_no: '9900000009', customer_id: customer.id, company_id: company.id, station_id: station.id, area_id: area.id, name: '丙县客户', category: 'residential', voltage_level: '0.22kV', payment_mode: 'postpaid', tariff_code: 'gansu.residential.tiered' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('account_contact').values({ account_id: account.id, name: '丙县联系人', phone: '13899990009', role: 'owner', is_primary: true }).execute();
  const meter = await db.insertInto('meter').values({ account_id: account.id, meter_no: 'MT-Z1', registers: ['total'] }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('contract').values({ account_id: account.id, contract_no: 'HT-Z1', kind: 'supply', signed_on: '2024-01-01', starts_on: '2024-01-01' }).execute();
  await db.insertInto('cycle_read').values({ account_id: account.id, meter_id: meter.id, period: '2026-09', read_on: '2026-10-01', total: '777.77' }).execute();
  await db.insertInto('daily_read').values({ account_id: account.id, meter_id: meter.id, read_on: '2026-10-01', total: '777.77' }).execute();
  return area.id;
}

/** Each company's bill run of 2026-10, rated and left for review: every account gets a bill to ask for. */
async function billBothCompanies(h: DatabaseHandle, z1Area: number) {
  const z1 = await h.db.selectFrom('meter as m').innerJoin('account as a', 'a.id', 'm.account_id').select(['a.id as account', 'm.id as meter']).where('a.area_id', '=', z1Area).executeTakeFirstOrThrow();
  await h.db
    .insertInto('cycle_read')
    .values([
      { account_id: z1.account, meter_id: z1.meter, period: '2026-08', read_on: '2026-09-01', total: '650.00' },
      { account_id: z1.account, meter_id: z1.meter, period: '2026-10', read_on: '2026-11-01', total: '900.00' },
    ])
    .execute();
  // the fixture opens its accounts "today" (the column default), yet they have reads since August
  await h.db.updateTable('account').set({ opened_on: '2024-01-01' }).execute();
  for (const { id } of await h.db.selectFrom('org_unit').select('id').where('kind', '=', 'company').execute()) {
    const { run } = await startBillRun(h.db, systemOperator(id, new Date('2026-11-15T12:00:00+08:00'), 'test'), '2026-10');
    await driveBillRun(h, run.id);
  }
}

/** A counter payment of 1.00 into an account (its bill is not issued: it becomes prepaid) and a refund request. */
async function payInto(db: Db, accountId: number, requestedBy: number) {
  const outcome = await db.transaction().execute((trx) =>
    applyPayment(trx, { accountId, channel: 'counter', channelTxnId: `matrix-${accountId}`, amountFen: 100, paidAt: new Date('2026-11-16T10:00:00+08:00') }),
  );
  const r = await db.insertInto('approval_request').values({ kind: 'prepaid.refund', account_id: accountId, amount_fen: 100, reason: '退费', requested_by: requestedBy }).returning('id').executeTakeFirstOrThrow();
  return { payment: outcome.paymentId, approval: r.id };
}

/** The objects of one area, with the strings that identify them. */
async function subtreeOf(db: Db, key: Key, areaId: number): Promise<Subtree> {
  const a = await db
    .selectFrom('account as a')
    .innerJoin('customer as cu', 'cu.id', 'a.customer_id')
    .innerJoin('transformer_area as t', 't.id', 'a.area_id')
    .innerJoin('org_unit as s', 's.id', 'a.station_id')
    .innerJoin('app_user as u', 'u.id', 't.manager_user_id')
    .select(['a.id', 'a.account_no', 'a.name', 'a.company_id', 'a.station_id', 'cu.id as customer_id', 'cu.customer_no', 'cu.name as customer_name', 'cu.phone', 'cu.id_number'])
    .select(['t.id as area_id', 't.name as area_name', 'u.id as manager_id', 'u.username', 'u.display_name'])
    .where('a.area_id', '=', areaId)
    .executeTakeFirstOrThrow();
  const meter = await db.selectFrom('meter').select(['id', 'meter_no']).where('account_id', '=', a.id).executeTakeFirstOrThrow();
  const contract = await db.selectFrom('contract').select(['id', 'contract_no']).where('account_id', '=', a.id).executeTakeFirstOrThrow();
  const contact = await db.selectFrom('account_contact').select(['name', 'phone']).where('account_id', '=', a.id).executeTakeFirstOrThrow();
  const bill = await db.selectFrom('bill').select(['id', 'bill_run_id']).where('account_id', '=', a.id).executeTakeFirstOrThrow();
  const { payment, approval } = await payInto(db, a.id, a.manager_id);
  const paymentOrder = `GR20261120${key}${'X'.repeat(14)}`;
  await db.insertInto('payment_order').values({ out_trade_no: paymentOrder, account_id: a.id, channel: 'gridapp', amount_fen: 100, expires_at: '2026-11-20T10:30:00+08:00' }).execute();
  const reconItem = await db
    .insertInto('recon_item')
    .values({ channel: 'wechatpay', business_date: '2026-11-16', channel_txn_id: `matrix-recon-${key}`, ledger_fen: 100, payment_id: payment, account_id: a.id, status: 'ledger_only' })
    .returning('id')
    .executeTakeFirstOrThrow();
  // a posted debit file of one line paying nothing (rejected): its result file names the account
  const bankBatch = await db
    .insertInto('bank_batch')
    .values({ company_id: a.company_id, bank: 'ICBC', file_name: `matrix-${key}.csv`, file_sha256: `matrix-${key}`, business_date: '2026-11-20', status: 'posted', lines: 1, posted_through: 1, accepted: 0, rejected: 1, accepted_fen: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('bank_batch_line').values({ batch_id: bankBatch.id, line_no: 1, account_no: a.account_no, account_id: a.id, amount_fen: 100, bank_txn_id: `M-${key}`, accepted: false, reason: 'closed_account' }).execute();
  // fee control: the account pending disconnection, an escalated command and an approval waiting
  await db.insertInto('fee_control').values({ account_id: a.id, state: 'pending', available_fen: -100, estimate_fen: 200, prepaid_fen: 100, daily_fen: 50, below_zero_on: '2026-11-16' }).execute();
  const command = await db.insertInto('meter_command').values({ command_id: `matrix-cmd-${key}`, account_id: a.id, meter_no: meter.meter_no, action: 'disconnect', cause: 'matrix', state: 'escalated', attempts: 5 }).returning('id').executeTakeFirstOrThrow();
  const feeApproval = await db.insertInto('disconnect_approval').values({ account_id: a.id, reason: '停电审批', bulk: true }).returning('id').executeTakeFirstOrThrow();
  const secrets = [a.account_no, a.name, meter.meter_no, a.phone!, a.customer_no, a.customer_name, contract.contract_no, a.area_name, a.display_name, a.username];
  secrets.push(maskPhone(a.phone)!, a.id_number!, maskIdNumber(a.id_number)!, contact.name, contact.phone!);
  return {
    key,
    company: a.company_id,
    station: a.station_id,
    area: a.area_id,
    manager: a.manager_id,
    account: a.id,
    customer: a.customer_id,
    meter: meter.id,
    contract: contract.id,
    bill: bill.id,
    billRun: bill.bill_run_id!,
    payment,
    approval,
    paymentOrder,
    reconItem: reconItem.id,
    bankBatch: bankBatch.id,
    command: command.id,
    feeApproval: feeApproval.id,
    search: { accountNo: a.account_no, name: a.name, meterNo: meter.meter_no, phone: a.phone!, customerNo: a.customer_no, username: a.username },
    secrets: [...new Set(secrets)],
  };
}

const leaked = (body: string, o: Subtree) => o.secrets.filter((s) => body.includes(s));

function isProblem(res: Res, status: number): string | null {
  if (res.statusCode !== status) return `status ${res.statusCode}, wanted ${status}: ${res.body.slice(0, 300)}`;
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) return `content-type ${res.headers['content-type']}`;
  if (res.body === '') return null; // HEAD
  const p = res.json() as Record<string, unknown>;
  for (const k of ['type', 'title', 'status', 'code', 'detail']) if (p[k] === undefined || p[k] === '') return `problem without ${k}: ${res.body}`;
  if (p.status !== status) return `problem status ${String(p.status)} ≠ ${status}`;
  return null;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  const z1 = await seedOtherCompany(handle.db);
  drafts = await seedTariffDrafts(handle.db);
  await billBothCompanies(handle, z1);
  for (const key of ['A1', 'A2', 'B1'] as const) sub[key] = await subtreeOf(handle.db, key, fx.areas[key]);
  sub.Z1 = await subtreeOf(handle.db, 'Z1', z1);
  t = await buildTestApp(handle);
  routes = routesOf(t.app);
  for (const u of USERS) await t.tokenFor(u.user); // log everyone in now, so logins are not "writes" later
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

describe('the matrix covers every route', () => {
  it('reads the route list from the app (and agrees with /openapi.json)', async () => {
    const spec = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/api/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(documented.length).toBeGreaterThan(20);
    expect(routes).toEqual(expect.arrayContaining(documented));
    expect(routes).toEqual(expect.arrayContaining(['GET /api/v1/accounts/:id', 'HEAD /api/v1/accounts/:id', 'PUT /api/v1/accounts/:id/contacts', 'POST /api/v1/auth/login']));
  });

  it('has a row for every /api/v1 route with a path parameter, and a place for every other route', () => {
    const apiRoutes = routes.filter((r) => r.split(' ')[1]!.startsWith('/api/v1/'));
    const asGet = (r: string) => r.replace(/^HEAD /, 'GET ');
    const withParam = apiRoutes.filter((r) => /\/:\w+|\*/.test(r));
    expect(withParam.filter((r) => !BY_OBJECT[asGet(r)]), 'routes with a path parameter and no BY_OBJECT row').toEqual([]);
    const rest = apiRoutes.filter((r) => !withParam.includes(r) && !PUBLIC.has(r));
    const placed = (r: string) => BY_REFERENCE[asGet(r)] || LISTS[asGet(r)] || NO_OBJECT[asGet(r)];
    expect(rest.filter((r) => !placed(r)), 'routes with no row in BY_REFERENCE, LISTS or NO_OBJECT').toEqual([]);
    // and the tables name no route that does not exist (a renamed route must move its row)
    const known = new Set(apiRoutes);
    const tableKeys = [...Object.keys(BY_OBJECT), ...Object.keys(BY_REFERENCE), ...Object.keys(LISTS), ...Object.keys(NO_OBJECT), ...PUBLIC];
    expect(tableKeys.filter((k) => !known.has(k))).toEqual([]);
  });
});

describe('no session → 401 on every non-public endpoint', () => {
  it('answers 401 problem+json without a token and with a forged one', async () => {
    const failures: string[] = [];
    const apiRoutes = routes.filter((r) => r.split(' ')[1]!.startsWith('/api/') && !PUBLIC.has(r));
    expect(apiRoutes.length).toBeGreaterThan(25);
    for (const r of apiRoutes) {
      const [method, path] = r.split(' ') as [string, string];
      const url = path.replace(/:\w+/g, String(sub.A1.account)).replace('*', 'x');
      for (const headers of [{}, { authorization: 'Bearer forged-token' }, { cookie: 'granary_session=forged' }] as Record<string, string>[]) {
        const res = await t.app.inject({ method: method as 'GET', url, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { payload: {} }) });
        const problem = isProblem(res, 401);
        if (problem) failures.push(`${r} ${JSON.stringify(headers)}: ${problem}`);
        else if (method !== 'HEAD' && res.json().code !== 'UNAUTHENTICATED') failures.push(`${r}: code ${res.json().code}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('another subtree’s object answers like a missing one, with none of its data', () => {
  let before: Awaited<ReturnType<typeof fingerprintTables>>;
  beforeAll(async () => {
    before = await fingerprintTables(handle.db);
  });

  const cases = { ...BY_OBJECT, ...BY_REFERENCE };
  it.each(Object.keys(cases))('%s', async (route) => {
    const [method] = route.split(' ') as [string];
    const methods = method === 'GET' ? ['GET', 'HEAD'] : [method];
    const failures: string[] = [];
    let n = 0;
    for (const u of USERS) {
      const home = sub[u.home];
      for (const call of cases[route]!) {
        const permitted = call.perm === null || MAY[call.perm].includes(u.role);
        const status = !permitted ? 403 : (call.hidden?.status ?? 404);
        for (const m of methods) {
          const ask = (o: Subtree) => t.as(u.user, { method: m, url: call.url(o, home), ...(call.body && { payload: call.body(o, home) }), ...(call.headers && { headers: call.headers }) });
          const missing = await ask(ghost);
          for (const key of foreignOf(u)) {
            n++;
            const o = sub[key];
            const res = await ask(o);
            const where = `${u.user}(${u.role}) ${m} ${call.url(o, home)} [${key}]`;
            const problem = isProblem(res, status);
            if (problem) failures.push(`${where}: ${problem}`);
            const leaks = leaked(res.body, o);
            if (leaks.length) failures.push(`${where}: body shows ${leaks.join(', ')}`);
            if (res.statusCode !== missing.statusCode || res.body !== missing.body) failures.push(`${where}: differs from a missing object (${missing.statusCode} ${missing.body})`);
            if (status === 422 && m !== 'HEAD') {
              const errors = (res.json().errors ?? []) as { field: string }[];
              if (!errors.some((e) => e.field === call.hidden!.field)) failures.push(`${where}: 422 does not name ${call.hidden!.field}: ${res.body}`);
            }
          }
        }
      }
    }
    expect(n).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it.each(Object.keys(LISTS))('%s finds nothing of another subtree', async (route) => {
    const failures: string[] = [];
    for (const u of USERS) {
      for (const key of foreignOf(u)) {
        for (const url of LISTS[route]!.map((f) => f(sub[key]))) {
          const res = await t.as(u.user, { method: 'GET', url });
          if (res.statusCode !== 200) failures.push(`${u.user} ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          const leaks = leaked(res.body, sub[key]);
          if (leaks.length) failures.push(`${u.user} ${url} [${key}]: body shows ${leaks.join(', ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('wrote nothing', async () => {
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });
});

describe('each role sees its own subtree', () => {
  const ids = (res: Res) => (res.json().items as { id: number }[]).map((i) => i.id).sort((a, b) => a - b);
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

  it('in GET /accounts, /customers and /areas', async () => {
    for (const u of USERS) {
      const accounts = await t.as(u.user, { method: 'GET', url: `${api}/accounts` });
      expect(accounts.statusCode, accounts.body).toBe(200);
      expect(ids(accounts), `${u.user} accounts`).toEqual(sorted(u.sees.map((k) => sub[k].account)));
      const customers = await t.as(u.user, { method: 'GET', url: `${api}/customers` });
      expect(customers.statusCode, customers.body).toBe(200);
      expect(ids(customers), `${u.user} customers`).toEqual(sorted(u.sees.map((k) => sub[k].customer)));
      const areas = await t.as(u.user, { method: 'GET', url: `${api}/areas` });
      expect(areas.statusCode, areas.body).toBe(200);
      expect(ids(areas), `${u.user} areas`).toEqual(sorted(u.sees.map((k) => sub[k].area)));
    }
    // the brief's own words
    for (const u of ['admin', 'manager', 'marketing', 'auditor'] as const) expect(ids(await t.as(u, { method: 'GET', url: `${api}/accounts` }))).toHaveLength(3);
    for (const u of ['headA', 'cashierA'] as const) expect(ids(await t.as(u, { method: 'GET', url: `${api}/accounts` }))).toEqual(sorted([fx.accounts.A1, fx.accounts.A2]));
    expect(ids(await t.as('amA1', { method: 'GET', url: `${api}/accounts` }))).toEqual([fx.accounts.A1]);
  });

  it('in GET /users', async () => {
    const stationA = ['headA', 'cashierA', 'amA1', 'amA2'] as const;
    const stationB = ['headB', 'cashierB', 'amB1'] as const;
    const expected: Record<FixtureUser, number[]> = {} as Record<FixtureUser, number[]>;
    for (const u of USERS) {
      if (['admin', 'manager', 'marketing', 'auditor'].includes(u.user)) expected[u.user] = Object.values(fx.users);
      else if (u.role === 'area_manager') expected[u.user] = [fx.users[u.user]];
      else expected[u.user] = (u.home.startsWith('A') ? stationA : stationB).map((k) => fx.users[k]);
    }
    for (const u of USERS) {
      const res = await t.as(u.user, { method: 'GET', url: `${api}/users?limit=500` });
      expect(res.statusCode, res.body).toBe(200);
      expect(ids(res), `${u.user} users`).toEqual(sorted(expected[u.user]));
      expect(res.body).not.toContain('password');
    }
  });

  it('in GET /org/tree', async () => {
    for (const u of USERS) {
      const res = await t.as(u.user, { method: 'GET', url: `${api}/org/tree` });
      expect(res.statusCode, res.body).toBe(200);
      const tree = res.json() as { company: { id: number }; stations: { id: number; managers: { areas: { id: number }[] }[] }[] };
      expect(tree.company.id).toBe(fx.companyId);
      const shape = Object.fromEntries(tree.stations.map((s) => [s.id, sorted(s.managers.flatMap((m) => m.areas.map((a) => a.id)))]));
      const want: Record<number, number[]> = {};
      for (const k of u.sees) (want[sub[k].station] ??= []).push(sub[k].area);
      for (const s of Object.keys(want)) want[Number(s)] = sorted(want[Number(s)]!);
      expect(shape, `${u.user} tree`).toEqual(want);
    }
  });

  it('by id: every object it lists opens, every other one is 404 (lists and lookups agree)', async () => {
    for (const u of USERS) {
      for (const key of KEYS) {
        const o = sub[key];
        const visible = u.sees.includes(key);
        const urls = [`${api}/accounts/${o.account}`, `${api}/customers/${o.customer}`, `${api}/meters/${o.meter}`, `${api}/contracts/${o.contract}`, `${api}/accounts/${o.account}/reads`, `${api}/areas/${o.area}`];
        for (const url of urls) {
          const res = await t.as(u.user, { method: 'GET', url });
          expect(res.statusCode, `${u.user} ${url}: ${res.body.slice(0, 200)}`).toBe(visible ? 200 : 404);
        }
        if (visible) {
          const account = (await t.as(u.user, { method: 'GET', url: `${api}/accounts/${o.account}` })).json();
          expect(account.accountNo).toBe(o.search.accountNo);
          expect(account.meters.map((m: { id: number }) => m.id)).toEqual([o.meter]);
          expect(account.contracts.map((c: { id: number }) => c.id)).toEqual([o.contract]);
          const reads = (await t.as(u.user, { method: 'GET', url: `${api}/accounts/${o.account}/reads?from=2026-01-01` })).json();
          expect(reads.items).toHaveLength(3);
        }
      }
    }
  });

  it('documents: the PDF of every bill it sees, no other; run summaries for the roles that see runs', async () => {
    for (const u of USERS) {
      for (const key of KEYS) {
        const o = sub[key];
        const pdf = await t.as(u.user, { method: 'GET', url: `${api}/bills/${o.bill}/pdf` });
        expect(pdf.statusCode, `${u.user} pdf of ${key}`).toBe(u.sees.includes(key) ? 200 : 404);
        if (pdf.statusCode === 200) expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      }
      const own = sub[u.home].billRun;
      const summary = await t.as(u.user, { method: 'GET', url: `${api}/bill-runs/${own}/summary.xlsx` });
      expect(summary.statusCode, `${u.user} summary`).toBe(MAY['billing.view'].includes(u.role) ? 200 : 403);
    }
  });

  it('by id: a user opens exactly the users it lists', async () => {
    const everyone = [...Object.values(fx.users), sub.Z1.manager];
    for (const u of USERS) {
      const listed = ids(await t.as(u.user, { method: 'GET', url: `${api}/users?limit=500` }));
      for (const id of everyone) {
        const res = await t.as(u.user, { method: 'GET', url: `${api}/users/${id}` });
        expect(res.statusCode, `${u.user} /users/${id}`).toBe(listed.includes(id) ? 200 : 404);
        if (res.statusCode === 200) expect(res.json().id).toBe(id);
      }
    }
  });

  it('in GET /events, by account id', async () => {
    for (const u of USERS) {
      const res = await t.as(u.user, { method: 'GET', url: `${api}/events?limit=1000` });
      expect(res.statusCode, res.body).toBe(200);
      const seen = new Set((res.json().items as { accountId: number }[]).map((e) => e.accountId));
      expect(seen.size, `${u.user} sees events`).toBeGreaterThan(0);
      for (const id of seen) expect(u.sees.map((k) => sub[k].account), `${u.user} event of account ${id}`).toContain(id);
    }
  });

  it('GET /auth/me for everyone; GET /audit only for admin and auditor; the channels security log for company-level roles', async () => {
    for (const u of USERS) {
      const me = await t.as(u.user, { method: 'GET', url: `${api}/auth/me` });
      expect(me.statusCode).toBe(200);
      expect(me.json().id).toBe(fx.users[u.user]);
      const audit = await t.as(u.user, { method: 'GET', url: `${api}/audit` });
      if (u.role === 'admin' || u.role === 'auditor') expect(audit.statusCode, audit.body).toBe(200);
      else expect(isProblem(audit, 403), `${u.user} /audit`).toBeNull();
      const securityLog = await t.as(u.user, { method: 'GET', url: `${api}/channels/security-events` });
      if (['admin', 'company_manager', 'marketing', 'auditor'].includes(u.role)) expect(securityLog.statusCode, securityLog.body).toBe(200);
      else expect(isProblem(securityLog, 403), `${u.user} /channels/security-events`).toBeNull();
    }
  });
});

describe('writes follow the role', () => {
  const account = (key: Key) => `${api}/accounts/${sub[key].account}`;

  it('roles without the permission get 403 on their own objects, and nothing is written', async () => {
    const before = await fingerprintTables(handle.db);
    const failures: string[] = [];
    for (const u of USERS) {
      const home = sub[u.home];
      const calls: [Perm, string, string, unknown][] = [
        ['customers.write', 'POST', `${api}/accounts`, { ...newAccount('X9100001'), customerId: home.customer, areaId: home.area }],
        ['customers.write', 'PATCH', account(u.home), { isImportant: true }],
        ['customers.write', 'POST', `${api}/customers`, { customerNo: 'C-X91', kind: 'person', name: '新客户', stationId: home.station }],
        ['customers.write', 'PATCH', `${api}/customers/${home.customer}`, { address: '新地址' }],
        ['customers.write', 'POST', `${api}/meters`, { accountId: home.account, meterNo: 'MT-X91', registers: ['total'] }],
        ['customers.write', 'PATCH', `${api}/meters/${home.meter}`, { smart: false }],
        ['customers.write', 'POST', `${api}/contracts`, { accountId: home.account, contractNo: 'HT-X91', kind: 'supply', signedOn: '2026-01-01', startsOn: '2026-01-01' }],
        ['customers.write', 'PATCH', `${api}/contracts/${home.contract}`, { dueDay: 10 }],
        ['contacts.write', 'PUT', `${account(u.home)}/contacts`, { contacts: [{ name: '新联系人', phone: '13900002222' }] }],
        ['org.manage', 'POST', `${api}/org/stations`, { code: 'stx', name: '新供电所' }],
        ['org.manage', 'POST', `${api}/areas`, { code: 'X91', name: '新台区', stationId: home.station }],
        ['org.manage', 'PATCH', `${api}/areas/${home.area}`, { name: '改名台区' }],
        ['org.manage', 'POST', `${api}/users`, { username: 'x91user', displayName: '新用户', role: 'cashier', orgUnitId: home.station, password: 'long-enough-pw' }],
        ['org.manage', 'PATCH', `${api}/users/${fx.users[u.user]}`, { displayName: '改名' }],
      ];
      for (const [perm, method, url, payload] of calls) {
        if (MAY[perm].includes(u.role)) continue;
        const res = await t.as(u.user, { method, url, payload });
        const problem = isProblem(res, 403);
        if (problem) failures.push(`${u.user}(${u.role}) ${method} ${url}: ${problem}`);
        else if (res.json().code !== 'FORBIDDEN') failures.push(`${u.user} ${method} ${url}: code ${res.json().code}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('marketing writes company-wide', async () => {
    const patch = await t.as('marketing', { method: 'PATCH', url: account('B1'), payload: { isImportant: true } });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json().isImportant).toBe(true);
    const customer = await t.as('marketing', { method: 'POST', url: `${api}/customers`, payload: { customerNo: 'C-MKT1', kind: 'organisation', name: '营销新客户', stationId: sub.B1.station } });
    expect(customer.statusCode, customer.body).toBe(201);
    const opened = await t.as('marketing', { method: 'POST', url: `${api}/accounts`, payload: { ...newAccount('MK000001'), customerId: customer.json().id, areaId: sub.B1.area, category: 'commercial' } });
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({ accountNo: 'MK000001', stationId: sub.B1.station, areaId: sub.B1.area });
    const meter = await t.as('marketing', { method: 'POST', url: `${api}/meters`, payload: { accountId: opened.json().id, meterNo: 'MT-MK1', registers: ['total'] } });
    expect(meter.statusCode, meter.body).toBe(201);
    // visible to station B, not to station A
    expect((await t.as('headB', { method: 'GET', url: `${api}/accounts/${opened.json().id}` })).statusCode).toBe(200);
    expect((await t.as('headA', { method: 'GET', url: `${api}/accounts/${opened.json().id}` })).statusCode).toBe(404);
    expect((await t.as('amA1', { method: 'GET', url: `${api}/meters/${meter.json().id}` })).statusCode).toBe(404);
  });

  it('a station head writes only in its station', async () => {
    const own = await t.as('headA', { method: 'PATCH', url: account('A1'), payload: { address: '甲村一组' } });
    expect(own.statusCode, own.body).toBe(200);
    const moved = await t.as('headA', { method: 'PATCH', url: account('A1'), payload: { areaId: sub.A2.area } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().areaId).toBe(sub.A2.area);
    expect((await t.as('amA1', { method: 'GET', url: account('A1') })).statusCode).toBe(404); // now amA2's
    expect((await t.as('amA2', { method: 'GET', url: account('A1') })).statusCode).toBe(200);
    expect((await t.as('headA', { method: 'PATCH', url: account('A1'), payload: { areaId: sub.A1.area } })).statusCode).toBe(200);

    const before = await fingerprintTables(handle.db);
    const intoB = await t.as('headA', { method: 'PATCH', url: account('A1'), payload: { areaId: sub.B1.area } });
    expect(isProblem(intoB, 422)).toBeNull();
    expect(intoB.json().errors).toEqual([expect.objectContaining({ field: 'areaId' })]);
    expect(intoB.json().detail).toContain('areaId');
    const openInB = await t.as('headA', { method: 'POST', url: `${api}/accounts`, payload: { ...newAccount('HA000001'), customerId: sub.A1.customer, areaId: sub.B1.area } });
    expect(isProblem(openInB, 422)).toBeNull();
    expect(openInB.json().errors).toEqual([expect.objectContaining({ field: 'areaId' })]);
    const customerInB = await t.as('headA', { method: 'POST', url: `${api}/customers`, payload: { customerNo: 'C-HA1', kind: 'person', name: '跨所客户', stationId: sub.B1.station } });
    expect(isProblem(customerInB, 422)).toBeNull();
    expect(customerInB.json().errors).toEqual([expect.objectContaining({ field: 'stationId' })]);
    expect(isProblem(await t.as('headA', { method: 'PATCH', url: account('B1'), payload: { address: 'x' } }), 404)).toBeNull();
    expect(isProblem(await t.as('headA', { method: 'POST', url: `${api}/meters`, payload: { accountId: sub.B1.account, meterNo: 'MT-HA1', registers: ['total'] } }), 404)).toBeNull();
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('an area manager keeps the contacts of its own areas only', async () => {
    const own = await t.as('amA1', { method: 'PUT', url: `${account('A1')}/contacts`, payload: { contacts: [{ name: '客户A1', phone: '13812340001' }, { name: '电工', phone: '13700001234', role: 'electrician' }] } });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().contacts).toHaveLength(2);
    const other = await t.as('amA1', { method: 'PUT', url: `${account('A2')}/contacts`, payload: { contacts: [] } });
    expect(isProblem(other, 404)).toBeNull();
    expect((await t.as('headA', { method: 'GET', url: account('A2') })).json().contacts).toHaveLength(1);
  });

  it('admin manages the organisation of its own company', async () => {
    const area = await t.as('admin', { method: 'POST', url: `${api}/areas`, payload: { code: 'B2', name: 'B2台区', stationId: sub.B1.station, managerUserId: fx.users.amB1 } });
    expect(area.statusCode, area.body).toBe(201);
    expect((await t.as('amB1', { method: 'GET', url: `${api}/areas` })).json().items.map((a: { id: number }) => a.id)).toContain(area.json().id);
    expect((await t.as('headA', { method: 'GET', url: `${api}/areas` })).json().items.map((a: { id: number }) => a.id)).not.toContain(area.json().id);
    const user = await t.as('admin', { method: 'PATCH', url: `${api}/users/${fx.users.cashierB}`, payload: { displayName: '乙收费员' } });
    expect(user.statusCode, user.body).toBe(200);
  });

  it('a customer with an account in a station is visible there, in the list as by id', async () => {
    // marketing opens, in station A's area A1, an account for station B's customer
    const opened = await t.as('marketing', { method: 'POST', url: `${api}/accounts`, payload: { ...newAccount('MK000002'), customerId: sub.B1.customer, areaId: sub.A1.area } });
    expect(opened.statusCode, opened.body).toBe(201);
    for (const u of ['headA', 'cashierA', 'amA1'] as const) {
      const byId = await t.as(u, { method: 'GET', url: `${api}/customers/${sub.B1.customer}` });
      expect(byId.statusCode, `${u} by id`).toBe(200);
      const list = await t.as(u, { method: 'GET', url: `${api}/customers?limit=500` });
      expect(list.json().items.map((c: { id: number }) => c.id), `${u} list`).toContain(sub.B1.customer);
    }
    expect((await t.as('amA2', { method: 'GET', url: `${api}/customers/${sub.B1.customer}` })).statusCode).toBe(404);
    expect((await t.as('amA2', { method: 'GET', url: `${api}/customers?limit=500` })).json().items.map((c: { id: number }) => c.id)).not.toContain(sub.B1.customer);
  });
});
