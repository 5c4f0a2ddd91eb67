import { describe, expect, it } from 'vitest';
import { compileAgentPrices, compileCatalogue, GANSU_AGENT_PRICE_TABLES, GANSU_TARIFF_VERSIONS } from '../../tariffs/index.js';
import { billAccount, type AccountForBilling, type RatingContext } from './assemble.js';
import { BILL_COLUMNS, billRow, estimatedReadRow, lineRows } from './copy-rows.js';
import { dueDate, dueDateTable } from './due-date.js';
import { partMonthDays, periodEnd, readDateOf } from './periods.js';
import type { MeterReads, Read } from './reads.js';

const ctx: RatingContext = { period: '2026-10', catalogue: compileCatalogue(GANSU_TARIFF_VERSIONS), agentPrices: compileAgentPrices(GANSU_AGENT_PRICE_TABLES) };

const read = (total: number, o: { tou?: [number, number, number]; reactive?: number; maxDemand?: number } = {}): Read => ({
  total: Math.round(total * 100),
  peak: o.tou ? Math.round(o.tou[0] * 100) : null,
  flat: o.tou ? Math.round(o.tou[1] * 100) : null,
  valley: o.tou ? Math.round(o.tou[2] * 100) : null,
  reactive: o.reactive === undefined ? null : Math.round(o.reactive * 100),
  maxDemand: o.maxDemand === undefined ? null : Math.round(o.maxDemand * 100),
  estimated: false,
});

function household(kwh: number | null, o: Partial<AccountForBilling> = {}): AccountForBilling {
  const meter: MeterReads = { meterId: 11, registers: ['total'], multiplier: 100, history: read(4000), previous: read(4600), current: kwh === null ? null : read(4600 + kwh) };
  return {
    id: 1,
    tariffCode: 'gansu.residential.tiered',
    category: 'residential',
    voltageLevel: '0.22kV',
    pfStandard: null,
    capacityKva: null,
    contractDemandKw: null,
    basicChargeBasis: null,
    agentMultiplier: '1.00',
    openedOn: '2015-03-01',
    contractDueDay: null,
    meters: [meter],
    ...o,
  };
}

function industry(o: Partial<AccountForBilling> = {}): AccountForBilling {
  // multiplier 100: register advances × 100 = kWh
  const meter: MeterReads = {
    meterId: 21,
    registers: ['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'],
    multiplier: 10000,
    history: { total: 0, peak: 0, flat: 0, valley: 0, reactive: 0 },
    previous: read(3000, { tou: [1000, 1000, 1000], reactive: 1800 }),
    current: read(4000, { tou: [1300, 1400, 1300], reactive: 2400, maxDemand: 4.5 }),
  };
  return {
    id: 2,
    tariffCode: 'gansu.ci.two-part',
    category: 'large_industry',
    voltageLevel: '10kV',
    pfStandard: '0.90',
    capacityKva: '1000.00',
    contractDemandKw: '400.00',
    basicChargeBasis: 'demand',
    agentMultiplier: '1.00',
    openedOn: '2012-01-01',
    contractDueDay: 25,
    meters: [meter],
    ...o,
  };
}

describe('billAccount', () => {
  it('rates a household with the tiered tariff (RULES R1: 300 kWh → 175.00 元)', () => {
    const out = billAccount(household(300), ctx);
    expect(out.findings).toEqual([]);
    expect(out.bill).toMatchObject({ accountId: 1, totalFen: 17500, kwh: '300.00', peakKwh: null, days: null, estimated: false, dueDay: null });
    expect(out.bill!.lines.map((l) => [l.code, l.quantity, l.amountFen])).toEqual([
      ['energy.tier1', '160.00', 8160],
      ['energy.tier2', '80.00', 4480],
      ['energy.tier3', '60.00', 4860],
    ]);
  });

  it('rates two-part industry from TOU registers, reactive energy and max demand × multiplier, on the contract due day', () => {
    const out = billAccount(industry(), ctx);
    const bill = out.bill!;
    expect(bill).toMatchObject({ kwh: '100000.00', peakKwh: '30000.00', flatKwh: '40000.00', valleyKwh: '30000.00', kvarh: '60000.00', maxDemandKw: '450.00', dueDay: 25 });
    expect(bill.lines.map((l) => l.code)).toEqual(['energy.peak', 'energy.flat', 'energy.valley', 'basic.demand', 'basic.demand.excess', 'pf.adjustment', 'funds']);
    expect(bill.lines.find((l) => l.code === 'basic.demand')).toMatchObject({ amountFen: 420 * 35 * 100 }); // RULES T1: 1.05·C·p
    expect(bill.lines.find((l) => l.code === 'basic.demand.excess')).toMatchObject({ amountFen: 30 * 70 * 100 });
    expect(bill.totalFen).toBe(bill.lines.reduce((s, l) => s + l.amountFen, 0));
  });

  it('does not bill a TOU tariff from a total-only meter', () => {
    const a = industry();
    a.meters[0]!.registers = ['total'];
    const out = billAccount(a, ctx);
    expect(out.bill).toBeNull();
    expect(out.findings.map((f) => [f.kind, f.blocking])).toEqual([['tou_registers_missing', true]]);
  });

  it('turns an engine refusal into a blocking finding (no tariff version, wrong category)', () => {
    expect(billAccount(household(100, { tariffCode: 'gansu.nowhere' }), ctx).findings[0]).toMatchObject({ kind: 'rating_refused', blocking: true });
    const wrong = billAccount(household(100, { category: 'commercial' }), ctx);
    expect(wrong.bill).toBeNull();
    expect(wrong.findings[0]).toMatchObject({ kind: 'rating_refused', detail: { errors: [expect.objectContaining({ field: 'account.category' })] } });
  });

  it('estimates a missing read, flags the bill and returns the read to store', () => {
    const out = billAccount(household(null), ctx);
    expect(out.bill).toMatchObject({ kwh: '200.00', estimated: true, totalFen: 8160 + 40 * 56 });
    expect(out.findings.map((f) => f.kind)).toEqual(['estimated_usage']);
    expect(out.estimatedReads).toEqual([expect.objectContaining({ meterId: 11, total: 480000 })]);
  });

  it('blocks a register going backwards', () => {
    const out = billAccount(household(-50), ctx);
    expect(out.bill).toBeNull();
    expect(out.findings).toEqual([expect.objectContaining({ kind: 'register_backwards', blocking: true })]);
    expect(out.estimatedReads).toEqual([]);
  });

  it('prorates the basic charge of a part month from the opening date', () => {
    const out = billAccount(industry({ openedOn: '2026-10-20', basicChargeBasis: 'capacity' }), ctx);
    expect(out.bill!.days).toBe(12);
    expect(out.bill!.lines.find((l) => l.code === 'basic.capacity')!.amountFen).toBe(Math.round(1000 * 23.3 * 100 * 12 / 30));
  });
});

describe('periods and due dates', () => {
  it('knows read dates, period ends and part months', () => {
    expect(readDateOf('2026-12')).toBe('2027-01-01');
    expect(periodEnd('2026-02')).toBe('2026-02-28');
    expect(partMonthDays('2026-10-01', '2026-10')).toBeNull();
    expect(partMonthDays('2026-10-31', '2026-10')).toBe(1);
    expect(partMonthDays('2026-11-02', '2026-10')).toBe(0);
  });

  it('falls due 15 days after issue, or on the contract day after issue (RULES §6)', () => {
    expect(dueDate('2026-11-03', null)).toBe('2026-11-18');
    expect(dueDate('2026-11-03', 25)).toBe('2026-11-25');
    expect(dueDate('2026-11-25', 25)).toBe('2026-12-25');
    expect(dueDate('2026-12-27', 20)).toBe('2027-01-20');
    expect(dueDate('2026-12-20', null, { daysAfterIssue: 20 })).toBe('2027-01-09');
    const table = dueDateTable('2026-11-03');
    expect(table).toHaveLength(29);
    expect(table[0]).toBe('2026-11-18');
    expect(table[25]).toBe('2026-11-25');
    expect(table[1]).toBe('2026-12-01');
  });
});

describe('COPY rows', () => {
  it('encodes a bill, its lines and an estimated read in column order', () => {
    const bill = billAccount(household(300), ctx).bill!;
    const row = billRow(bill, 99, '2026-10', 5).slice(0, -1).split('\t');
    expect(row).toHaveLength(BILL_COLUMNS.length);
    expect(Object.fromEntries(BILL_COLUMNS.map((c, i) => [c, row[i]]))).toMatchObject({ account_id: '1', id: '99', bill_run_id: '5', kind: 'regular', total_fen: '17500', peak_kwh: '\\N', due_day: '\\N', estimated: 'f' });
    const lines = lineRows(bill, 99).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split('\t').slice(0, 7)).toEqual(['1', '99', '1', 'energy.tier1', '160.00', '0.5100', '8160']);
    expect(JSON.parse(lines[0]!.split('\t')[7]!)).toMatchObject({ tier: 1 });
    expect(estimatedReadRow(1, '2026-10', '2026-11-01', { meterId: 11, total: 480000, peak: null, flat: null, valley: null, reactive: null, maxDemand: null })).toBe(
      '1\t11\t2026-10\t2026-11-01\t4800.00\t\\N\t\\N\t\\N\t\\N\t\\N\tt\testimate\n',
    );
  });
});
