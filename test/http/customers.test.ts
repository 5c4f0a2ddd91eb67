import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  t = await buildTestApp(handle);
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

const audit = async (action: string) => handle.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

describe('registering a customer with an account, meter and contract', () => {
  let customerId: number;
  let accountId: number;

  it('a station head registers a customer and opens a two-part account in their station', async () => {
    const c = await t.as('headA', {
      method: 'POST',
      url: '/api/v1/customers',
      payload: { customerNo: 'C-NEW-1', kind: 'organisation', name: '祁连山水泥有限公司', phone: '09378880001', stationId: fx.stations.A, address: '红湾寺镇工业园' },
    });
    expect(c.statusCode, c.body).toBe(201);
    customerId = c.json().id;
    const a = await t.as('headA', {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: {
        accountNo: '6201000099',
        customerId,
        areaId: fx.areas.A2,
        name: '祁连山水泥有限公司',
        category: 'large_industry',
        voltageLevel: '10kV',
        paymentMode: 'postpaid',
        tariffCode: 'gansu.ci.two-part',
        capacityKva: '1250',
        contractDemandKw: '800',
        basicChargeBasis: 'demand',
        pfStandard: '0.90',
        isImportant: true,
        contacts: [
          { name: '王会计', phone: '13909371234', role: 'finance' },
          { name: '李电工', phone: '13909375678', role: 'electrician' },
        ],
      },
    });
    expect(a.statusCode, a.body).toBe(201);
    const account = a.json();
    accountId = account.id;
    expect(account).toMatchObject({ stationId: fx.stations.A, areaId: fx.areas.A2, capacityKva: '1250.00', pfStandard: '0.90', isImportant: true, masked: true });
    expect(account.contacts.map((x: { phone: string; isPrimary: boolean }) => [x.phone, x.isPrimary])).toEqual([
      ['139****1234', true],
      ['139****5678', false],
    ]);
    expect((await audit('account.create')).map((r) => r.entity_id)).toContain(String(accountId));
  });

  it('installs a meter and signs a contract, both audited', async () => {
    const m = await t.as('headA', { method: 'POST', url: '/api/v1/meters', payload: { accountId, meterNo: 'MT-NEW-1', registers: ['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'], multiplier: '100' } });
    expect(m.statusCode, m.body).toBe(201);
    const k = await t.as('marketing', { method: 'POST', url: '/api/v1/contracts', payload: { accountId, contractNo: 'HT-NEW-1', kind: 'supply', signedOn: '2026-10-01', startsOn: '2026-11-01', dueDay: 20, terms: { note: '按月结算' } } });
    expect(k.statusCode, k.body).toBe(201);
    const full = (await t.as('amA2', { method: 'GET', url: `/api/v1/accounts/${accountId}` })).json();
    expect(full.meters.map((x: { meterNo: string }) => x.meterNo)).toEqual(['MT-NEW-1']);
    expect(full.contracts[0]).toMatchObject({ contractNo: 'HT-NEW-1', dueDay: 20, terms: { note: '按月结算' } });
    expect(await audit('meter.create')).toHaveLength(1);
    expect(await audit('contract.create')).toHaveLength(1);
  });

  it('refuses an inconsistent change and leaves the account as it was', async () => {
    const res = await t.as('headA', { method: 'PATCH', url: `/api/v1/accounts/${accountId}`, payload: { capacityKva: '50' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('capacityKva');
    const row = await handle.db.selectFrom('account').select('capacity_kva').where('id', '=', accountId).executeTakeFirstOrThrow();
    expect(row.capacity_kva).toBe('1250.00');
  });

  it('does not let a station head move an account into another station', async () => {
    const res = await t.as('headA', { method: 'PATCH', url: `/api/v1/accounts/${accountId}`, payload: { areaId: fx.areas.B1 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe('areaId');
  });

  it('lets an area manager keep contacts current but not change the account', async () => {
    const ok = await t.as('amA2', { method: 'PUT', url: `/api/v1/accounts/${accountId}/contacts`, payload: { contacts: [{ name: '王会计', phone: '13909370000', role: 'finance' }] } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().contacts).toHaveLength(1);
    expect((await t.as('amA2', { method: 'PATCH', url: `/api/v1/accounts/${accountId}`, payload: { name: 'x' } })).statusCode).toBe(403);
  });
});

describe('personal data', () => {
  it('is masked in lists and shown on request to roles that may see it, with an audit entry', async () => {
    const list = (await t.as('headA', { method: 'GET', url: '/api/v1/accounts?q=8800000001' })).json();
    expect(list.items[0].phone).toBe('138****0001');
    const masked = (await t.as('headA', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A1}` })).json();
    expect(masked.customer).toMatchObject({ phone: '138****0001', idNumber: '6207**********1234' });
    expect(masked.canUnmask).toBe(true);
    const before = (await audit('pii.view')).length;
    const shown = (await t.as('headA', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A1}?unmask=true` })).json();
    expect(shown.customer).toMatchObject({ phone: '13812340001', idNumber: '620721199001011234' });
    expect(shown.masked).toBe(false);
    const views = await audit('pii.view');
    expect(views).toHaveLength(before + 1);
    expect(views.at(-1)).toMatchObject({ actor_name: 'heada', entity: 'account', entity_id: String(fx.accounts.A1) });
  });

  it('shows an area manager the phone but not the ID number', async () => {
    const shown = (await t.as('amA1', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A1}?unmask=true` })).json();
    expect(shown.customer).toMatchObject({ phone: '13812340001', idNumber: '6207**********1234' });
  });

  it('refuses unmasking to roles without the right', async () => {
    const res = await t.as('auditor', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A1}?unmask=true` });
    expect(res.statusCode).toBe(403);
    expect((await t.as('auditor', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A1}` })).json().canUnmask).toBe(false);
  });
});

describe('search and pagination', () => {
  it('pages with a cursor, each account exactly once', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/accounts?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.as('admin', { method: 'GET', url })).json();
      seen.push(...page.items.map((i: { id: number }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = await handle.db.selectFrom('account').select('id').orderBy('id').execute();
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it('finds accounts by account no. prefix, name, meter no. and phone', async () => {
    const ids = async (q: string) => (await t.as('admin', { method: 'GET', url: `/api/v1/accounts?q=${encodeURIComponent(q)}` })).json().items.map((i: { id: number }) => i.id);
    expect(await ids('88000000')).toHaveLength(3);
    expect(await ids('客户B1')).toEqual([fx.accounts.B1]);
    expect(await ids('MT-A2')).toEqual([fx.accounts.A2]);
    expect(await ids('13812340003')).toEqual([fx.accounts.B1]);
  });

  it('filters by area and category within the scope', async () => {
    const res = (await t.as('headA', { method: 'GET', url: `/api/v1/accounts?areaId=${fx.areas.A1}&category=residential` })).json();
    expect(res.items.map((i: { id: number }) => i.id)).toEqual([fx.accounts.A1]);
    const other = (await t.as('headA', { method: 'GET', url: `/api/v1/accounts?areaId=${fx.areas.B1}` })).json();
    expect(other.items).toEqual([]);
  });
});
