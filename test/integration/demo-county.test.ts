import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { createDemoCounty, databaseIsEmpty, demoLogins, DEMO_PASSWORD, type DemoSummary } from '../../src/modules/simulator/index.js';
import { AppError } from '../../src/shared/errors.js';
import { verifyPassword } from '../../src/shared/password.js';
import { createTestDatabase } from '../support/db.js';

const ACCOUNTS = 500;
const asOf = new Date('2026-05-20T04:00:00Z');

let handle: DatabaseHandle;
let summary: DemoSummary;
let definitionsBefore: string[];
const phases = new Set<string>();

/** Every constraint and index of the schema, so the test can see the load put back what it took off. */
async function schemaDefinitions(h: DatabaseHandle): Promise<string[]> {
  const { rows } = await sql<{ d: string }>`
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated as d
      from pg_constraint where connamespace = 'public'::regnamespace
    union all
    select indexdef from pg_indexes where schemaname = 'public'
    order by 1`.execute(h.db);
  return rows.map((r) => r.d);
}

async function count(query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
  const { rows } = await query.execute(handle.db);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  handle = await createTestDatabase();
  definitionsBefore = await schemaDefinitions(handle);
  expect(await databaseIsEmpty(handle.db)).toBe(true);
  summary = await createDemoCounty(handle, { accounts: ACCOUNTS, seed: 3, asOf, onProgress: (p) => phases.add(p.phase) });
});

afterAll(async () => {
  await handle?.close();
});

describe('createDemoCounty on an empty database', () => {
  it('reports the rows it wrote, and they are all there', async () => {
    expect(summary.accounts).toBe(ACCOUNTS);
    expect(summary.asOfDate).toBe('2026-05-20');
    for (const [table, rows] of Object.entries(summary.rows)) {
      expect(await count(sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`), table).toBe(rows);
    }
    expect(summary.rows).toMatchObject({ org_unit: 9, account: ACCOUNTS, meter: ACCOUNTS, cycle_read: ACCOUNTS * 25 });
    expect(summary.rows.customer).toBeLessThanOrEqual(ACCOUNTS);
    expect(summary.rows.account_contact).toBeGreaterThan(ACCOUNTS);
    expect(summary.rows.contract).toBeGreaterThan(0);
    expect(phases).toContain('cycle reads');
    expect(phases).toContain('daily reads');
  });

  it('is no longer empty', async () => {
    expect(await databaseIsEmpty(handle.db)).toBe(false);
  });

  it('puts every account in an area of its own station, in the company', async () => {
    expect(await count(sql`select count(*) as n from account a join transformer_area t on t.id = a.area_id where t.station_id <> a.station_id`)).toBe(0);
    expect(await count(sql`select count(*) as n from account a join org_unit s on s.id = a.station_id where s.kind <> 'station' or s.parent_id <> a.company_id`)).toBe(0);
    expect(await count(sql`select count(*) as n from account a join customer c on c.id = a.customer_id where c.station_id <> a.station_id`)).toBe(0);
  });

  it('has area managers look after areas of their own station only', async () => {
    expect(await count(sql`select count(*) as n from transformer_area t join app_user u on u.id = t.manager_user_id where u.role <> 'area_manager' or u.org_unit_id <> t.station_id`)).toBe(0);
    expect(await count(sql`select count(*) as n from transformer_area where manager_user_id is null`)).toBe(0);
    expect(await count(sql`select count(*) as n from app_user u where u.role = 'area_manager' and not exists (select 1 from transformer_area t where t.manager_user_id = u.id)`)).toBe(0);
  });

  it('has one meter and 25 cycle reads per account, the last read on the first of asOf’s month', async () => {
    expect(await count(sql`select count(*) as n from account a where (select count(*) from meter m where m.account_id = a.id) <> 1`)).toBe(0);
    expect(await count(sql`select count(*) as n from meter m where (select count(*) from cycle_read r where r.meter_id = m.id and r.account_id = m.account_id) <> 25`)).toBe(0);
    const { rows } = await sql<{ first: string; last: string; read_on: string }>`select min(period) as first, max(period) as last, max(read_on)::text as read_on from cycle_read`.execute(handle.db);
    expect(rows[0]).toEqual({ first: '2024-04', last: '2026-04', read_on: '2026-05-01' });
    expect(await count(sql`select count(*) as n from cycle_read where peak is not null and total <> peak + flat + valley`)).toBe(0);
  });

  it('has 60 daily reads for each prepaid or purchase-before-use meter and none for postpaid ones', async () => {
    expect(await count(sql`select count(*) as n from daily_read d join account a on a.id = d.account_id where a.payment_mode = 'postpaid'`)).toBe(0);
    expect(await count(sql`select count(*) as n from account a where a.payment_mode <> 'postpaid' and (select count(*) from daily_read d where d.account_id = a.id) <> 60`)).toBe(0);
    expect(await count(sql`select count(*) as n from daily_read d join cycle_read c on c.meter_id = d.meter_id and c.read_on = d.read_on where c.total <> d.total`)).toBe(0);
    expect(await count(sql`select count(*) as n from daily_read where read_on > '2026-05-20' or read_on < '2026-03-22'`)).toBe(0);
  });

  it('lets every demo user sign in with the demo password, admin listed first', async () => {
    const users = await handle.db.selectFrom('app_user').select(['username', 'password_hash']).execute();
    expect(users.length).toBeGreaterThanOrEqual(4 + 8 * 5);
    // Each distinct hash once (argon2 is slow on purpose): together they cover every user.
    for (const hash of new Set(users.map((u) => u.password_hash))) expect(await verifyPassword(hash, DEMO_PASSWORD)).toBe(true);
    expect(await verifyPassword(users[0]!.password_hash, 'wrong-password')).toBe(false);
    const logins = await demoLogins(handle.db);
    expect(logins.slice(0, 4).map((l) => l.username)).toEqual(['admin', 'manager', 'marketing', 'auditor']);
    expect(logins[4]).toMatchObject({ username: 'hongwansi.head', role: 'station_head' });
  });

  it('puts back every constraint and index, validated, and moves the id sequences on', async () => {
    expect(await schemaDefinitions(handle)).toEqual(definitionsBefore);
    const { rows } = await sql<{ id: number }>`insert into customer (customer_no, kind, name, station_id) values ('TEST-1', 'person', '测试', 2) returning id`.execute(handle.db);
    expect(rows[0]!.id).toBe(summary.rows.customer! + 1);
  });

  it('records the creation in the audit log', async () => {
    const entry = await handle.db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'demo.create').executeTakeFirst();
    expect(entry?.detail).toMatchObject({ accounts: ACCOUNTS, seed: 3 });
  });

  it('refuses a second county and leaves the first untouched', async () => {
    const before = await count(sql`select count(*) as n from account`);
    const second = createDemoCounty(handle, { accounts: 100, seed: 4, asOf });
    await expect(second).rejects.toBeInstanceOf(AppError);
    await expect(second).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await count(sql`select count(*) as n from account`)).toBe(before);
  });
});

describe('createDemoCounty when the load fails half way', () => {
  it('leaves nothing behind', async () => {
    const fresh = await createTestDatabase();
    try {
      // A check no demo meter passes makes the load fail after the org, customers and accounts are written.
      await sql`alter table meter add constraint demo_test_no_meters check (meter_no = 'none')`.execute(fresh.db);
      await expect(createDemoCounty(fresh, { accounts: 200, seed: 1, asOf })).rejects.toThrow(/demo_test_no_meters/);
      for (const table of ['org_unit', 'app_user', 'customer', 'account', 'cycle_read']) {
        const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(fresh.db);
        expect(Number(rows[0]!.n), table).toBe(0);
      }
      expect(await databaseIsEmpty(fresh.db)).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
