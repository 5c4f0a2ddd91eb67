import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_TARIFF_VERSIONS, loadAgentPrices, loadCatalogue, seedTariffDefaults, type AgentPriceTable } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type FixtureUser } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * The catalogue and the monthly agent-purchase tables as published data: drafts, validation, publishing
 * (marketing and admin only), immutability down to the database, CSV and xlsx imports.
 */

let handle: DatabaseHandle;
let t: TestApp;
const clock = new FixedClock(new Date('2026-11-20T02:00:00Z')); // 2026-11-20 10:00 in Shanghai
const api = '/api/v1';
const USERS: FixtureUser[] = ['admin', 'manager', 'marketing', 'auditor', 'headA', 'cashierA', 'amA1'];
const MAY_WRITE: FixtureUser[] = ['admin', 'marketing'];

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  t = await buildTestApp(handle, { clock });
  for (const u of USERS) await t.tokenFor(u); // logins are not the writes compared below
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

const audit = (action: string) => handle.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
const tiered2027 = () => ({
  ...structuredClone(GANSU_TARIFF_VERSIONS.find((v) => v.code === 'gansu.residential.tiered')!),
  name: '居民阶梯电价 2027 调整',
  effectiveFrom: '2027-01-01',
  tiers: [
    { upToKwh: '160', price: '0.52' },
    { upToKwh: '240', price: '0.57' },
    { price: '0.82' },
  ],
});
const tableOf = (month: string, agent = '0.3500'): AgentPriceTable => ({ ...structuredClone(GANSU_AGENT_PRICE_TABLES.find((x) => x.month === '2026-10')!), month, publishedOn: undefined, rows: GANSU_AGENT_PRICE_TABLES.find((x) => x.month === '2026-10')!.rows.map((r) => ({ ...r, agent })) });
const json = (table: AgentPriceTable) => JSON.parse(JSON.stringify(table)) as AgentPriceTable;

describe('the catalogue', () => {
  it('every role reads the seeded codes, each with the version in effect today', async () => {
    for (const u of USERS) {
      const res = await t.as(u, { method: 'GET', url: `${api}/tariffs` });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.today).toBe('2026-11-20');
      const codes = body.items.map((i: { code: string }) => i.code);
      for (const c of ['gansu.residential.tiered', 'gansu.residential.shared-meter', 'gansu.ci.single-part', 'gansu.ci.two-part', 'gansu.agriculture']) expect(codes).toContain(c);
      const single = body.items.find((i: { code: string }) => i.code === 'gansu.ci.single-part');
      expect(single.versions.map((v: { effectiveFrom: string; status: string }) => [v.effectiveFrom, v.status])).toEqual([
        ['2023-06-01', 'published'],
        ['2024-08-01', 'published'],
      ]);
      expect(single.currentVersionId).toBe(single.versions[1].id);
      const one = await t.as(u, { method: 'GET', url: `${api}/tariff-versions/${single.currentVersionId}` });
      expect(one.statusCode).toBe(200);
      expect(one.json().definition.tou.factors).toEqual({ peak: '1.5', flat: '1.0', valley: '0.5', critical: '1.8' });
    }
    expect((await t.as('amA1', { method: 'GET', url: `${api}/tariff-versions/999999` })).statusCode).toBe(404);
  });

  it('seeding again adds nothing', async () => {
    const before = await fingerprintTables(handle.db);
    expect(await seedTariffDefaults(handle.db)).toEqual({ versions: 0, priceTables: 0 });
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('loadCatalogue and loadAgentPrices compile the published data', async () => {
    const catalogue = await loadCatalogue(handle.db);
    expect(catalogue.at('gansu.ci.two-part', '2026-10')?.effectiveFrom).toBe('2024-08-01');
    const prices = await loadAgentPrices(handle.db);
    expect(prices.forMonth('2026-10')?.row('1-10kV', 'single-part')?.agent.text).toBe('0.3200');
    expect((await loadAgentPrices(handle.db, ['2026-10'])).months.size).toBe(1);
  });
});

describe('drafting and publishing a tariff version', () => {
  let draftId: number;

  it('roles other than marketing and admin may not draft (403), and nothing is written', async () => {
    const before = await fingerprintTables(handle.db);
    for (const u of USERS.filter((x) => !MAY_WRITE.includes(x))) {
      const res = await t.as(u, { method: 'POST', url: `${api}/tariff-versions`, payload: tiered2027() });
      expect(res.statusCode, `${u}: ${res.body}`).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('an invalid version → 422 listing every problem with its path, nothing written', async () => {
    const before = await fingerprintTables(handle.db);
    const bad = { ...tiered2027(), effectiveFrom: '2027-02-30', tiers: [{ price: '0.51' }, { upToKwh: '1', price: 0.56 }], colour: 'red' };
    const res = await t.as('marketing', { method: 'POST', url: `${api}/tariff-versions`, payload: bad });
    expect(res.statusCode, res.body).toBe(422);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['colour', 'effectiveFrom', 'tiers[0].upToKwh', 'tiers[1].price']));
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('marketing drafts; saving the same code and date again replaces the draft', async () => {
    const res = await t.as('marketing', { method: 'POST', url: `${api}/tariff-versions`, payload: tiered2027() });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ code: 'gansu.residential.tiered', effectiveFrom: '2027-01-01', status: 'draft', publishedAt: null, createdByName: '用户marketing', replaced: false });
    draftId = res.json().id;
    const again = await t.as('marketing', { method: 'POST', url: `${api}/tariff-versions`, payload: { ...tiered2027(), notes: '第二稿' } });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ id: draftId, replaced: true, definition: { notes: '第二稿' } });
    expect((await audit('tariff.draft.create')).map((a) => a.entity_id)).toEqual([String(draftId)]);
    expect(await audit('tariff.draft.replace')).toHaveLength(1);
    // a draft is not in the catalogue the engine uses
    expect((await loadCatalogue(handle.db)).history('gansu.residential.tiered')!.versions).toHaveLength(1);
  });

  it('only marketing and admin publish (403 for every other role, nothing written)', async () => {
    const before = await fingerprintTables(handle.db);
    for (const u of USERS.filter((x) => !MAY_WRITE.includes(x))) {
      const res = await t.as(u, { method: 'POST', url: `${api}/tariff-versions/${draftId}/publish` });
      expect(res.statusCode, `${u}: ${res.body}`).toBe(403);
      expect((await t.as(u, { method: 'DELETE', url: `${api}/tariff-versions/${draftId}` })).statusCode).toBe(403);
    }
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('marketing publishes: the version takes effect from its date, and quotes follow', async () => {
    const res = await t.as('marketing', { method: 'POST', url: `${api}/tariff-versions/${draftId}/publish` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'published', publishedByName: '用户marketing' });
    expect(res.json().publishedAt).toBe('2026-11-20T02:00:00.000Z');
    expect((await audit('tariff.publish')).map((a) => a.entity_id)).toEqual([String(draftId)]);
    const q = (period: string) => t.as('cashierA', { method: 'POST', url: `${api}/quotes`, payload: { tariffCode: 'gansu.residential.tiered', period, account: { category: 'residential', voltageLevel: '0.22kV' }, usage: { kwh: '300' } } });
    expect((await q('2026-12')).json().totalFen).toBe(17500);
    expect((await q('2027-01')).json()).toMatchObject({ totalFen: 17800, tariffEffectiveFrom: '2027-01-01' }); // 83.20 + 45.60 + 49.20
  });

  it('a published version is final: publish again, discard, or redraft its date → 409', async () => {
    expect((await t.as('marketing', { method: 'POST', url: `${api}/tariff-versions/${draftId}/publish` })).statusCode).toBe(409);
    expect((await t.as('marketing', { method: 'DELETE', url: `${api}/tariff-versions/${draftId}` })).statusCode).toBe(409);
    const redraft = await t.as('marketing', { method: 'POST', url: `${api}/tariff-versions`, payload: tiered2027() });
    expect(redraft.statusCode).toBe(409);
    expect(redraft.json().errors).toEqual([expect.objectContaining({ field: 'effectiveFrom' })]);
  });

  it('the database itself refuses to change or delete a published row', async () => {
    await expect(sql`update tariff_version set name = 'x' where id = ${draftId}`.execute(handle.db)).rejects.toThrow(/published and cannot be changed/);
    await expect(sql`delete from tariff_version where id = ${draftId}`.execute(handle.db)).rejects.toThrow(/published and cannot be changed/);
    await expect(sql`truncate tariff_version cascade`.execute(handle.db)).rejects.toThrow(/append-only/);
    const seeded = await handle.db.selectFrom('agent_price_table').select('id').where('month', '=', '2026-10').executeTakeFirstOrThrow();
    await expect(sql`update agent_price_table set definition = '{}'::jsonb where id = ${seeded.id}`.execute(handle.db)).rejects.toThrow(/published/);
    await expect(sql`delete from agent_price_table where id = ${seeded.id}`.execute(handle.db)).rejects.toThrow(/published/);
  });

  it('a version may not take effect in a month that has begun (periods already billed are never re-priced)', async () => {
    const draft = await t.as('admin', { method: 'POST', url: `${api}/tariff-versions`, payload: { ...tiered2027(), effectiveFrom: '2026-10-01' } });
    expect(draft.statusCode, draft.body).toBe(201);
    const res = await t.as('admin', { method: 'POST', url: `${api}/tariff-versions/${draft.json().id}/publish` });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'effectiveFrom' })]);
    // … from the first of the current month it may: admin publishes too
    const now = await t.as('admin', { method: 'POST', url: `${api}/tariff-versions`, payload: { ...tiered2027(), code: 'gansu.test.admin', effectiveFrom: '2026-11-01' } });
    expect((await t.as('admin', { method: 'POST', url: `${api}/tariff-versions/${now.json().id}/publish` })).statusCode).toBe(200);
    // the rejected draft can be thrown away
    expect((await t.as('admin', { method: 'DELETE', url: `${api}/tariff-versions/${draft.json().id}` })).statusCode).toBe(204);
    expect((await t.as('admin', { method: 'GET', url: `${api}/tariff-versions/${draft.json().id}` })).statusCode).toBe(404);
    expect(await audit('tariff.draft.discard')).toHaveLength(1);
  });
});

describe('monthly agent-purchase tables', () => {
  const csv = (lines: string[]) => Buffer.from(lines.join('\n'), 'utf8');
  const upload = (user: FixtureUser, month: string, body: Buffer, type = 'text/csv') =>
    t.as(user, { method: 'POST', url: `${api}/agent-prices/import?month=${month}`, payload: body, headers: { 'content-type': type } });
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  async function xlsx(rows: (string | number | null)[][]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('2027-02');
    for (const r of rows) ws.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
  const englishCsv = [
    'voltage,column,agent,lineLoss,td,systemOps,funds',
    '<1kV,single-part,0.3300,0.0120,0.1850,0.0300,0.0229',
    '1-10kV,single-part,0.3300,0.0120,0.1500,0.0300,0.0229',
    '1-10kV,two-part,0.3300,0.0120,0.0950,-0.0050,0.0229',
  ];

  it('a draft as JSON (marketing), with its comparison against the latest published month', async () => {
    const res = await t.as('marketing', { method: 'POST', url: `${api}/agent-prices`, payload: json(tableOf('2027-01', '0.3600')) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ month: '2027-01', status: 'draft', source: 'api', late: false, rowCount: 7, deadline: '2026-12-29' });
    const comparison = res.json().comparison;
    expect(comparison.month).toBe('2026-12');
    expect(comparison.missingRows).toEqual([]);
    expect(comparison.changes).toHaveLength(7 * 3); // agent, line loss and system operation differ from December's
    expect(comparison.changes[0]).toEqual({ voltage: '<1kV', column: 'single-part', component: 'agent', from: '0.3508', to: '0.3600' });
  });

  it('a month already published is final: a draft for it → 409', async () => {
    const res = await t.as('marketing', { method: 'POST', url: `${api}/agent-prices`, payload: json(tableOf('2026-10')) });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'month' })]);
  });

  it('CSV import: valid → draft; importing again replaces it', async () => {
    const res = await upload('marketing', '2027-02', csv(englishCsv));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ month: '2027-02', status: 'draft', source: 'csv', rowCount: 3, ignoredColumns: [] });
    expect(res.json().definition.rows[2]).toEqual({ voltage: '1-10kV', column: 'two-part', agent: '0.3300', lineLoss: '0.0120', td: '0.0950', systemOps: '-0.0050', funds: '0.0229' });
    expect(res.json().comparison).toMatchObject({ month: '2026-12', missingRows: ['35kV single-part', '35kV two-part', '110kV two-part', '220kV+ two-part'] });
    const again = await upload('marketing', '2027-02', csv([...englishCsv.slice(0, 2)]));
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ id: res.json().id, rowCount: 1, replaced: true });
  });

  it('CSV with Chinese headers and values, saved by Excel as GB 18030, with a note column', async () => {
    const text = ['序号,电压等级,类别,代理购电价格（元/千瓦时）,线损折价,输配电价,系统运行费,政府性基金及附加', '1,不满1千伏,单一制,0.3300,0.0120,0.1850,0.0300,0.0229', '2,1-10千伏,两部制,0.3300,0.0120,0.0950,0.0300,0.0229'].join('\r\n');
    const encoded = encodeGb18030(text);
    const res = await upload('admin', '2027-03', encoded);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().ignoredColumns).toEqual(['序号']);
    expect(res.json().definition.rows.map((r: { voltage: string; column: string }) => `${r.voltage} ${r.column}`)).toEqual(['<1kV single-part', '1-10kV two-part']);
  });

  it('an invalid CSV → 422 listing each row and column, and nothing is written', async () => {
    const before = await fingerprintTables(handle.db);
    const res = await upload('marketing', '2027-04', csv(['voltage,column,agent,lineLoss,td,systemOps,funds', '<1kV,single-part,0.33,0.012,0.185,0.03,0.0229', '12kV,单一制,abc,0.012,0.15,0.03,0.0229', '<1kV,single-part,0.3300001,0.012,0.185,0.03,0.0229', '1-10kV,two-part,0.33,-0.1,0.095,0.03,']));
    expect(res.statusCode, res.body).toBe(422);
    const errors = res.json().errors as { field: string; row: number; column?: string; message: string }[];
    expect(errors.map((e) => [e.row, e.column ?? null])).toEqual([
      [3, 'A'],
      [3, 'C'],
      [4, null],
      [4, 'C'],
      [5, 'D'],
      [5, 'G'],
    ]);
    expect(errors[0]!.message).toMatch(/"12kV" is not a voltage band/);
    expect(errors[2]!.message).toMatch(/a second row for <1kV single-part/);
    expect(errors[3]!.message).toMatch(/more than 6 decimal places/);
    expect(errors[4]!.message).toMatch(/negative/);
    expect(errors[5]!.message).toMatch(/is required/);
    expect(res.json().detail).toMatch(/^the csv file has 6 problems/);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('a CSV without a required column names it', async () => {
    const res = await upload('marketing', '2027-04', csv(['voltage,column,agent,td,systemOps,funds', '<1kV,single-part,0.33,0.185,0.03,0.0229']));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ row: 1, key: 'lineLoss', message: expect.stringMatching(/no "lineLoss" column/) })]);
  });

  it('xlsx import: valid → draft (numbers and text cells alike)', async () => {
    const body = await xlsx([
      ['电压等级', '类别', '代理购电价格', '线损折价', '输配电价', '系统运行费', '政府性基金及附加'],
      ['不满1千伏', '单一制', 0.3312, 0.0121, '0.1850', 0.0301, 0.0229],
      ['1-10千伏', '两部制', 0.3312, 0.0121, 0.095, -0.002, 0.0229],
    ]);
    const res = await upload('marketing', '2027-04', body, XLSX);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ source: 'xlsx', rowCount: 2 });
    expect(res.json().definition.rows[1]).toEqual({ voltage: '1-10kV', column: 'two-part', agent: '0.3312', lineLoss: '0.0121', td: '0.095', systemOps: '-0.002', funds: '0.0229' });
  });

  it('an invalid xlsx → 422 with spreadsheet row numbers, nothing written', async () => {
    const before = await fingerprintTables(handle.db);
    const body = await xlsx([['标题：2027年5月代理购电价格表'], [], ['voltage', 'column', 'agent', 'lineLoss', 'td', 'systemOps', 'funds'], ['<1kV', 'single-part', 0.1 + 0.2, 0.012, 0.185, 0.03, 0.0229], ['1-10kV', 'three-part', 0.33, 0.012, 0.15, 0.03, 0.0229]]);
    const res = await upload('marketing', '2027-05', body, 'application/octet-stream');
    expect(res.statusCode, res.body).toBe(422);
    // the title row is taken as the header → every column is missing; a real header row is required first
    expect(res.json().errors.every((e: { row: number }) => e.row === 1)).toBe(true);
    const fixed = await xlsx([['voltage', 'column', 'agent', 'lineLoss', 'td', 'systemOps', 'funds'], ['<1kV', 'single-part', 0.1 + 0.2, 0.012, 0.185, 0.03, 0.0229], ['1-10kV', 'three-part', 0.33, 0.012, 0.15, 0.03, 0.0229]]);
    const res2 = await upload('marketing', '2027-05', fixed, XLSX);
    expect(res2.statusCode, res2.body).toBe(422);
    expect(res2.json().errors.map((e: { row: number; column: string }) => `${e.row}${e.column}`)).toEqual(['2C', '3B']);
    expect(res2.json().errors[0].message).toMatch(/"0.30000000000000004" has more than 6 decimal places/);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('not a spreadsheet, or JSON to the import → clear 4xx; roles without the permission → 403', async () => {
    expect((await upload('marketing', '2027-06', Buffer.from('PK\u0003\u0004garbage'), XLSX)).statusCode).toBe(422);
    expect((await upload('marketing', '2027-06', Buffer.alloc(0))).statusCode).toBe(422);
    const asJson = await t.as('marketing', { method: 'POST', url: `${api}/agent-prices/import?month=2027-06`, payload: { rows: [] } });
    expect(asJson.statusCode).toBe(415);
    expect((await upload('marketing', '2027-13', csv(englishCsv))).json().errors).toEqual([expect.objectContaining({ field: 'querystring.month' })]);
    for (const u of USERS.filter((x) => !MAY_WRITE.includes(x))) expect((await upload(u, '2027-06', csv(englishCsv))).statusCode, u).toBe(403);
  });

  it('publish on time (≥ 3 days before the month): late = false; only marketing and admin', async () => {
    const list = (await t.as('cashierA', { method: 'GET', url: `${api}/agent-prices?status=draft` })).json().items as { id: number; month: string }[];
    const feb = list.find((x) => x.month === '2027-02')!;
    for (const u of USERS.filter((x) => !MAY_WRITE.includes(x))) expect((await t.as(u, { method: 'POST', url: `${api}/agent-prices/${feb.id}/publish` })).statusCode, u).toBe(403);
    const res = await t.as('marketing', { method: 'POST', url: `${api}/agent-prices/${feb.id}/publish` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'published', late: false, deadline: '2027-01-29', definition: { publishedOn: '2026-11-20' } });
    expect((await audit('agentPrices.publish')).at(-1)!.detail).toMatchObject({ month: '2027-02', late: false });
    // final: a new draft, import, publish or discard of that month → 409
    expect((await upload('marketing', '2027-02', csv(englishCsv))).statusCode).toBe(409);
    expect((await t.as('marketing', { method: 'POST', url: `${api}/agent-prices/${feb.id}/publish` })).statusCode).toBe(409);
    expect((await t.as('marketing', { method: 'DELETE', url: `${api}/agent-prices/${feb.id}` })).statusCode).toBe(409);
  });

  it('publish late (fewer than 3 days before the month, here a back-filled past month): published, flagged late and audited', async () => {
    const draft = await t.as('marketing', { method: 'POST', url: `${api}/agent-prices`, payload: json(tableOf('2023-12')) });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json()).toMatchObject({ deadline: '2023-11-28', late: false });
    const res = await t.as('admin', { method: 'POST', url: `${api}/agent-prices/${draft.json().id}/publish` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'published', late: true, deadline: '2023-11-28', definition: { publishedOn: '2026-11-20' }, publishedByName: '用户admin' });
    expect((await audit('agentPrices.publish')).at(-1)!.detail).toMatchObject({ month: '2023-12', late: true, deadline: '2023-11-28', publishedOn: '2026-11-20' });
    const listed = (await t.as('auditor', { method: 'GET', url: `${api}/agent-prices?from=2023-12&to=2023-12` })).json().items;
    expect(listed).toEqual([expect.objectContaining({ month: '2023-12', status: 'published', late: true })]);
  });

  it('a table downloads as xlsx or CSV in the import format, and imports back unchanged', async () => {
    const oct = (await t.as('amA1', { method: 'GET', url: `${api}/agent-prices?from=2026-10&to=2026-10` })).json().items[0];
    const file = await t.as('amA1', { method: 'GET', url: `${api}/agent-prices/${oct.id}/file?format=xlsx&labels=zh` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toBe('attachment; filename="agent-prices-2026-10.xlsx"');
    const back = await upload('marketing', '2027-08', file.rawPayload, XLSX);
    expect(back.statusCode, back.body).toBe(201);
    const seeded = GANSU_AGENT_PRICE_TABLES.find((x) => x.month === '2026-10')!;
    expect(back.json().definition.rows).toEqual(seeded.rows);
    const csvFile = await t.as('amA1', { method: 'GET', url: `${api}/agent-prices/${oct.id}/file?format=csv` });
    expect(csvFile.headers['content-type']).toMatch(/^text\/csv/);
    expect(csvFile.body.split('\r\n')[0]).toBe('\uFEFFvoltage,column,agent,lineLoss,td,systemOps,funds');
    const backCsv = await upload('marketing', '2027-09', csvFile.rawPayload);
    expect(backCsv.json().definition.rows).toEqual(seeded.rows);
  });

  it('a draft can be discarded by marketing; the published tables are what loadAgentPrices gives', async () => {
    const list = (await t.as('marketing', { method: 'GET', url: `${api}/agent-prices?status=draft` })).json().items as { id: number; month: string }[];
    const sep = list.find((x) => x.month === '2027-09')!;
    expect((await t.as('cashierA', { method: 'DELETE', url: `${api}/agent-prices/${sep.id}` })).statusCode).toBe(403);
    expect((await t.as('marketing', { method: 'DELETE', url: `${api}/agent-prices/${sep.id}` })).statusCode).toBe(204);
    expect((await t.as('marketing', { method: 'GET', url: `${api}/agent-prices/${sep.id}` })).statusCode).toBe(404);
    const prices = await loadAgentPrices(handle.db);
    expect(prices.forMonth('2027-02')).toBeDefined();
    expect(prices.forMonth('2027-04')).toBeUndefined(); // a draft
  });
});

/** GB 18030 for the characters used above: Node has no encoder, so a small table of their codes. */
function encodeGb18030(text: string): Buffer {
  const table: Record<string, number[]> = {};
  const dec = new TextDecoder('gb18030');
  // Search the two-byte GBK range for each character we need (a few hundred decodes at most per char).
  const wanted = new Set([...text].filter((c) => c.charCodeAt(0) > 0x7f));
  for (let hi = 0x81; hi <= 0xfe && wanted.size; hi++) {
    for (let lo = 0x40; lo <= 0xfe && wanted.size; lo++) {
      if (lo === 0x7f) continue;
      const ch = dec.decode(Uint8Array.of(hi, lo));
      if (wanted.has(ch)) {
        table[ch] = [hi, lo];
        wanted.delete(ch);
      }
    }
  }
  if (wanted.size) throw new Error(`no GBK code for ${[...wanted].join('')}`);
  const bytes: number[] = [];
  for (const c of text) bytes.push(...(c.charCodeAt(0) > 0x7f ? table[c]! : [c.charCodeAt(0)]));
  return Buffer.from(bytes);
}
