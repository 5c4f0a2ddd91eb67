import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { approveBillRun, startBillRun, startIssue, systemOperator } from '../../src/modules/billing/index.js';
import { driveBillRun } from '../../src/workflows/issue-bills.js';
import { runForSummary, writeRunSummary } from '../../src/modules/reports/index.js';
import { createDemoCounty, DEMO_PASSWORD } from '../../src/modules/simulator/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * Documents on a small demo county (200 accounts) billed for 2026-10: the PDF bill (Chinese text in an
 * embedded font, read back with a PDF text extractor), scoped like the bill; and the streamed xlsx run
 * summary, whose totals must equal the database's to the fen.
 */
const api = '/api/v1';
const PERIOD = '2026-10';
const asOf = new Date('2026-11-15T12:00:00+08:00');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let handle: DatabaseHandle;
let t: TestApp;
let companyId: number;
let runId: number;
const tokens = new Map<string, string>();

async function rows<T>(q: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await q.execute(handle.db)).rows;
}

async function as(username: string, url: string, method: 'GET' | 'HEAD' = 'GET') {
  let token = tokens.get(username);
  if (!token) {
    const res = await t.app.inject({ method: 'POST', url: `${api}/auth/login`, payload: { username, password: DEMO_PASSWORD } });
    if (res.statusCode !== 200) throw new Error(`login of ${username}: ${res.statusCode} ${res.body}`);
    token = res.json().token as string;
    tokens.set(username, token);
  }
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
}

async function pdfText(body: Buffer): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(body));
  const { text } = await extractText(pdf, { mergePages: true });
  return text;
}

/** 元 from fen by string arithmetic, independently of the code under test. */
function yuan(fen: number): string {
  const abs = Math.abs(fen);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${fen < 0 ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

interface BillInfo {
  id: number;
  account_id: number;
  account_no: string;
  name: string;
  station: string;
  area_id: number;
  manager: string;
  total_fen: number;
  tariff_code: string;
}

/** One bill per station (the first account of each), with who may see it. */
async function billsByStation(): Promise<BillInfo[]> {
  return rows(sql<BillInfo>`
    select distinct on (s.code) b.id, a.id as account_id, a.account_no, a.name, s.code as station, a.area_id, u.username as manager, b.total_fen::int as total_fen, b.tariff_code
      from bill b join account a on a.id = b.account_id join org_unit s on s.id = a.station_id
      join transformer_area t on t.id = a.area_id join app_user u on u.id = t.manager_user_id
     where b.period = ${PERIOD} and b.kind = 'regular' and a.tariff_code = 'gansu.residential.tiered'
     order by s.code, a.id`);
}

beforeAll(async () => {
  handle = await createTestDatabase();
  await createDemoCounty(handle, { accounts: 200, seed: 5, asOf: new Date('2026-11-15T00:00:00Z') });
  await seedTariffDefaults(handle.db);
  companyId = (await rows(sql<{ id: number }>`select id from org_unit where kind = 'company'`))[0]!.id;
  const { run } = await startBillRun(handle.db, systemOperator(companyId, asOf, 'test'), PERIOD);
  runId = run.id;
  const rated = await driveBillRun(handle, run.id, { batchSize: 41 });
  expect(rated.status).toBe('review');
  t = await buildTestApp(handle, { clock: new FixedClock(new Date('2026-11-20T10:00:00+08:00')) });
});

afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

describe('GET /bills/:id/pdf', () => {
  it('prints a draft for checking, with no due date', async () => {
    const [bill] = await billsByStation();
    const res = await as('admin', `${api}/bills/${bill!.id}/pdf`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const text = await pdfText(res.rawPayload);
    expect(text).toContain('未发行');
    expect(text).toContain('发行后确定');
    expect(text).not.toContain('违约金');
  });

  describe('after the run is issued', () => {
    beforeAll(async () => {
      const op = systemOperator(companyId, asOf, 'test');
      await approveBillRun(handle.db, op, runId, 'reports test');
      await startIssue(handle.db, op, runId);
      expect((await driveBillRun(handle, runId)).status).toBe('issued');
    });

    it('is a PDF with the CJK font embedded and the bill in Chinese, read back as text', async () => {
      const [bill] = await billsByStation();
      const res = await as('admin', `${api}/bills/${bill!.id}/pdf`);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toContain(`bill-${bill!.account_no}-${PERIOD}`);
      const body = res.rawPayload;
      expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const raw = body.toString('latin1');
      // a subset of Noto Sans SC, embedded (CFF font file), with a ToUnicode map so the text can be copied
      expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Regular/);
      expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Bold/);
      expect(raw).toContain('/FontFile3');
      expect(raw).toContain('/ToUnicode');
      expect(body.length).toBeLessThan(400_000);

      const text = await pdfText(body);
      const line = await rows(sql<{ due_on: string; issued_at: Date }>`select due_on, issued_at from bill where id = ${bill!.id}`);
      for (const s of ['肃南县供电公司', '电费通知单', '户号', bill!.account_no, bill!.name, '2026年10月', '已发行', '第一档电费', '本期电费合计', '微信支付', '支付宝', '95598']) {
        expect(text, s).toContain(s);
      }
      expect(text).toContain(`¥ ${yuan(bill!.total_fen)} 元`);
      const [, m, d] = line[0]!.due_on.split('-');
      expect(text).toContain(`${line[0]!.due_on.slice(0, 4)}年${Number(m)}月${Number(d)}日`);
      expect(text).toContain('人民币(大写)');
      // nothing paid yet and not yet due on the test's day
      expect(text).toContain(`截至2026年11月20日，本账单未交电费 ${yuan(bill!.total_fen)} 元，合计应交 ${yuan(bill!.total_fen)} 元。`);
    });

    it('prints, once overdue, the penalty accrued to the day as the account statement has it', async () => {
      const [bill] = await billsByStation();
      const clock = t.clock as FixedClock;
      clock.set(new Date('2027-01-10T10:00:00+08:00'));
      tokens.delete('admin'); // signed in again on the day: the earlier session has expired by then
      try {
        const statement = await as('admin', `${api}/accounts/${bill!.account_id}/statement`);
        expect(statement.statusCode).toBe(200);
        const open = (statement.json().openBills as { billId: number; principalOpenFen: number; penaltyFen: number; overdueDays: number }[]).find((o) => o.billId === bill!.id)!;
        expect(open.penaltyFen).toBeGreaterThan(0);
        // the note wraps onto a second line on the page: compared without white space
        const text = (await pdfText((await as('admin', `${api}/bills/${bill!.id}/pdf`)).rawPayload)).replace(/\s+/g, '');
        expect(text).toContain(
          `截至2027年1月10日，本账单未交电费 ${yuan(open.principalOpenFen)} 元，已逾期 ${open.overdueDays} 天，电费违约金 ${yuan(open.penaltyFen)} 元(按日累计，交费时一并收取)，合计应交 ${yuan(open.principalOpenFen + open.penaltyFen)} 元。`.replace(/\s+/g, ''),
        );
      } finally {
        clock.set(new Date('2026-11-20T10:00:00+08:00'));
        tokens.delete('admin');
      }
    });

    it('translates every line code of a time-of-use or two-part bill, with amounts to the fen', async () => {
      const [bill] = await rows(sql<{ id: number; total_fen: number }>`
        select b.id, b.total_fen::int as total_fen from bill b
         where b.period = ${PERIOD} and exists (select 1 from bill_line l where l.account_id = b.account_id and l.bill_id = b.id and (l.code like 'basic.%' or l.code like 'energy.peak'))
         order by b.id limit 1`);
      expect(bill, 'the demo county has a two-part or time-of-use bill').toBeDefined();
      const lines = await rows(sql<{ code: string; amount_fen: number }>`select code, amount_fen::int as amount_fen from bill_line l join bill b on b.account_id = l.account_id and b.id = l.bill_id where b.id = ${bill!.id} order by line_no`);
      const labels: Record<string, string> = {
        energy: '电度电费',
        'energy.peak': '峰段电费',
        'energy.flat': '平段电费',
        'energy.valley': '谷段电费',
        'energy.critical': '尖峰电费',
        'basic.capacity': '基本电费(容量)',
        'basic.demand': '基本电费(需量)',
        'basic.demand.excess': '基本电费(超需量)',
        'pf.adjustment': '力调电费',
        funds: '政府性基金及附加',
      };
      const text = await pdfText((await as('marketing', `${api}/bills/${bill!.id}/pdf`)).rawPayload);
      for (const l of lines) {
        expect(labels[l.code], `a label for ${l.code}`).toBeDefined();
        expect(text).toContain(labels[l.code]);
        expect(text).toContain(yuan(l.amount_fen));
      }
      expect(text).toContain(`¥ ${yuan(bill!.total_fen)} 元`);
    });

    it('follows the bill’s scope: another station’s (or area’s) bill is 404, like one that does not exist', async () => {
      const bills = await billsByStation();
      expect(bills.length).toBeGreaterThan(1);
      const own = bills.find((b) => b.station === 'hongwansi')!;
      const other = bills.find((b) => b.station !== 'hongwansi')!;
      expect((await as('hongwansi.head', `${api}/bills/${own.id}/pdf`)).statusCode).toBe(200);
      const foreign = await as('hongwansi.head', `${api}/bills/${other.id}/pdf`);
      const missing = await as('hongwansi.head', `${api}/bills/1999999999/pdf`);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(foreign.body).toBe(missing.body);
      expect(foreign.body).not.toContain(other.account_no);
      // the area manager of the bill's area sees it; a manager of the same station with other areas does not
      expect((await as(own.manager, `${api}/bills/${own.id}/pdf`)).statusCode).toBe(200);
      const [colleague] = await rows(sql<{ username: string }>`
        select u.username from app_user u join org_unit s on s.id = u.org_unit_id
         where s.code = 'hongwansi' and u.role = 'area_manager' and u.username <> ${own.manager}
           and not exists (select 1 from transformer_area t where t.manager_user_id = u.id and t.id = ${own.area_id}) order by u.id limit 1`);
      expect((await as(colleague!.username, `${api}/bills/${own.id}/pdf`)).statusCode).toBe(404);
      expect((await as('huangcheng.cashier', `${api}/bills/${own.id}/pdf`)).statusCode).toBe(404);
    });

    it('prints a correction (退补) with its own title, and the original lists it', async () => {
      const [bill] = await billsByStation();
      const adj = await as('marketing', `${api}/bills/${bill!.id}`); // the bill exists and is issued
      expect(adj.json().status).toBe('issued');
      const token = tokens.get('marketing')!;
      const made = await t.app.inject({
        method: 'POST',
        url: `${api}/bills/${bill!.id}/adjustments`,
        headers: { authorization: `Bearer ${token}` },
        payload: { reason: '表计误差退补', lines: [{ code: 'energy.tier1', quantity: '-10.00', unitPrice: '0.51' }] },
      });
      expect(made.statusCode, made.body).toBe(201);
      const correction = await pdfText((await as('marketing', `${api}/bills/${made.json().id}/pdf`)).rawPayload);
      expect(correction).toContain('电费退补通知单');
      expect(correction).toContain('表计误差退补');
      expect(correction).toContain('¥ -5.10 元');
      expect(correction).toContain('负伍元壹角');
      const original = await pdfText((await as('marketing', `${api}/bills/${bill!.id}/pdf`)).rawPayload);
      expect(original).toContain(`退补单号 ${made.json().id}`);
    });
  });
});

describe('the API lists the documents', () => {
  it('in /openapi.json, as binary responses (the web UI offers the downloads when it finds them there)', async () => {
    const spec = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }> };
    expect(Object.keys(spec.paths['/api/v1/bills/{id}/pdf']!.get!.responses['200']!.content!)).toEqual(['application/pdf']);
    expect(Object.keys(spec.paths['/api/v1/bill-runs/{id}/summary.xlsx']!.get!.responses['200']!.content!)).toEqual([XLSX]);
  });
});

describe('GET /bill-runs/:id/summary.xlsx', () => {
  let workbook: ExcelJS.Workbook;
  const sheetRows = (name: string) => {
    const out: ExcelJS.CellValue[][] = [];
    workbook.getWorksheet(name)!.eachRow((r) => out.push((r.values as ExcelJS.CellValue[]).slice(1)));
    return out;
  };
  /** The summary sheet's value for a label in column A. */
  const summaryValue = (label: string) => sheetRows('汇总').find((r) => r[0] === label)?.[1];

  beforeAll(async () => {
    const res = await as('marketing', `${api}/bill-runs/${runId}/summary.xlsx`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toContain(`bill-run-${PERIOD}-summary.xlsx`);
    workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  });

  it('opens with exceljs: the bills, then the summary, which is the tab the workbook opens on', () => {
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['账单', '汇总']);
    expect(workbook.views[0]?.activeTab).toBe(1);
    expect(sheetRows('账单')[0]).toEqual(['账单编号', '户号', '户名', '供电所', '台区', '用电类别', '电价', '电量(kWh)', '电费(元)', '电费(分)', '状态', '标记', '交费截止日']);
  });

  it('has every bill of the run once, and its totals equal SUM(total_fen) to the fen', async () => {
    const [db] = await rows(sql<{ bills: number; fen: string; issued: number }>`
      select count(*)::int as bills, sum(total_fen)::text as fen, count(*) filter (where status = 'issued')::int as issued
        from bill where bill_run_id = ${runId} and kind = 'regular'`);
    const bills = sheetRows('账单').slice(1);
    expect(bills).toHaveLength(db!.bills);
    expect(new Set(bills.map((r) => r[0])).size).toBe(db!.bills);
    const fenColumn = bills.reduce((s, r) => s + BigInt(r[9] as number), 0n);
    expect(fenColumn.toString()).toBe(db!.fen);
    expect(String(summaryValue('电费合计(分)'))).toBe(db!.fen);
    expect(summaryValue('账单数')).toBe(db!.bills);
    expect(summaryValue('已发行账单数')).toBe(db!.issued);
    expect(summaryValue('与批次记录核对')).toBe('一致');
    // each 元 cell is the fen amount, and shows as such with two decimals
    for (const r of bills) expect((r[8] as number).toFixed(2)).toBe(yuan(r[9] as number).replace(/,/g, ''));
    // one bill row against the database
    const [first] = await rows(sql<{ id: number; account_no: string; total_fen: number }>`
      select b.id, a.account_no, b.total_fen::int as total_fen from bill b join account a on a.id = b.account_id where b.bill_run_id = ${runId} order by b.account_id limit 1`);
    expect(bills[0]!.slice(0, 2)).toEqual([first!.id, first!.account_no]);
    expect(bills[0]![9]).toBe(first!.total_fen);
  });

  it('totals by category, station and tariff, and exceptions by kind, as the database counts them', async () => {
    const all = sheetRows('汇总');
    const table = (heading: string) => {
      const start = all.findIndex((r) => r[0] === heading);
      const end = all.findIndex((r, i) => i > start + 1 && r[0] === '合计');
      return all.slice(start + 2, end + 1);
    };
    const byStation = await rows(sql<{ name: string; bills: number; fen: string }>`
      select s.name, count(*)::int as bills, sum(b.total_fen)::text as fen from bill b join account a on a.id = b.account_id join org_unit s on s.id = a.station_id
       where b.bill_run_id = ${runId} group by s.id, s.name order by s.id`);
    expect(table('按供电所').slice(0, -1).map((r) => [r[0], r[1], String(r[4])])).toEqual(byStation.map((s) => [s.name, s.bills, s.fen]));
    const byCategory = await rows(sql<{ category: string; fen: string }>`
      select a.category, sum(b.total_fen)::text as fen from bill b join account a on a.id = b.account_id where b.bill_run_id = ${runId} group by a.category`);
    const label: Record<string, string> = { residential: '居民生活', commercial: '一般工商业', large_industry: '大工业', agriculture: '农业生产', public: '公用事业', heating: '供暖' };
    const categories = table('按用电类别').slice(0, -1);
    expect(categories[0]![0]).toBe('居民生活'); // households first, as the glossary lists them
    expect(Object.fromEntries(categories.map((r) => [r[0], String(r[4])]))).toEqual(Object.fromEntries(byCategory.map((c) => [label[c.category], c.fen])));
    const byTariff = await rows(sql<{ tariff_code: string; fen: string }>`
      select tariff_code, sum(total_fen)::text as fen from bill where bill_run_id = ${runId} group by tariff_code order by tariff_code`);
    expect(table('按电价').slice(0, -1).map((r) => [r[0], String(r[5])])).toEqual(byTariff.map((c) => [c.tariff_code, c.fen]));
    for (const heading of ['按供电所', '按用电类别']) expect(String(table(heading).at(-1)![4])).toBe(String(summaryValue('电费合计(分)')));

    const kinds = await rows(sql<{ kind: string; count: number }>`select kind, count(*)::int as count from bill_exception where bill_run_id = ${runId} group by kind order by kind`);
    const start = all.findIndex((r) => r[0] === '审核异常(按类型)');
    const listed = all.slice(start + 2).map((r) => [r[0], r[3]] as [string, number]);
    expect(listed.sort()).toEqual(kinds.map((k) => [k.kind, k.count]).sort());
  });

  it('is the same whatever the batch size (the cursor neither skips nor repeats a bill)', async () => {
    const reader = { role: 'system' as const, scope: { level: 'company' as const, companyId } };
    const billRows = async (batchSize: number) => {
      const run = await runForSummary(handle.db, reader, runId);
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const result = await writeRunSummary(handle.db, reader.scope, run, out, { now: new Date('2026-11-20T02:00:00Z'), batchSize });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
      const out2: unknown[] = [];
      wb.getWorksheet('账单')!.eachRow((r) => out2.push(r.values));
      return { result, rows: out2 };
    };
    const small = await billRows(7);
    const large = await billRows(5000);
    expect(small.rows).toEqual(large.rows);
    expect(small.result).toEqual(large.result);
    expect(small.rows.length - 1).toBe(small.result.bills);
  });

  it('stops, releasing its snapshot, when the destination goes away mid-stream (a client that hangs up)', async () => {
    const reader = { role: 'system' as const, scope: { level: 'company' as const, companyId } };
    const run = await runForSummary(handle.db, reader, runId);
    const out = new PassThrough({ highWaterMark: 1024 }); // nobody reads it: the writer must wait, then see it close
    setTimeout(() => out.destroy(), 300);
    const started = Date.now();
    await expect(
      handle.db.transaction().setAccessMode('read only').execute((trx) => writeRunSummary(trx, reader.scope, run, out, { now: new Date(), batchSize: 7 })),
    ).rejects.toThrow(/closed/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('is for the roles that see bill runs: station roles 403, an unknown run 404, and nothing written', async () => {
    for (const u of ['hongwansi.head', 'hongwansi.cashier', 'hongwansi.am1', 'admin', 'manager', 'auditor']) await as(u, `${api}/auth/me`); // sessions first
    const before = await fingerprintTables(handle.db);
    for (const u of ['hongwansi.head', 'hongwansi.cashier', 'hongwansi.am1']) {
      const res = await as(u, `${api}/bill-runs/${runId}/summary.xlsx`);
      expect(res.statusCode, u).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    for (const u of ['admin', 'manager', 'auditor']) expect((await as(u, `${api}/bill-runs/${runId}/summary.xlsx`)).statusCode, u).toBe(200);
    expect((await as('admin', `${api}/bill-runs/1999999999/summary.xlsx`)).statusCode).toBe(404);
    const head = await as('admin', `${api}/bill-runs/${runId}/summary.xlsx`, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe(XLSX);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });
});
