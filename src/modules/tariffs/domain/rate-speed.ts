/**
 * How fast the engine rates: `npx tsx src/modules/tariffs/domain/rate-speed.ts [N]` rates N (default
 * 1,000,000) mixed usages in one loop on one core and prints µs per bill. Not a test; the bill-run
 * benchmark in bench/ measures the whole run.
 *
 * Mix (RULES §12): 80% tiered residential, 4% shared meter, 2% residential 10 kV, 3% agriculture with
 * PF, 9% time-of-use commerce (some α = 1.5, some with PF), 2% two-part industry with PF, part months.
 */
import { compileAgentPrices, compileCatalogue } from './compile.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_CODES, GANSU_TARIFF_VERSIONS } from './gansu-defaults.js';
import { rate, type RateInput } from './rate.js';

const n = Number(process.argv[2] ?? 1_000_000);
const period = '2026-10';
const catalogue = compileCatalogue(GANSU_TARIFF_VERSIONS);
const prices = compileAgentPrices(GANSU_AGENT_PRICE_TABLES);
const at = (code: string) => catalogue.at(code, period)!;

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const kwh = (max: number) => (Math.floor(rnd() * max * 100) / 100).toFixed(2);

function input(i: number): RateInput {
  const r = (i * 7919) % 100;
  if (r < 80) return { tariff: at(GANSU_CODES.residentialTiered), period, account: { category: 'residential', voltageLevel: '0.22kV' }, usage: { kwh: kwh(600) } };
  if (r < 84) return { tariff: at(GANSU_CODES.residentialSharedMeter), period, account: { category: 'residential', voltageLevel: '0.4kV' }, usage: { kwh: kwh(2000) } };
  if (r < 86) return { tariff: at(GANSU_CODES.residential10kv), period, account: { category: 'residential', voltageLevel: '10kV' }, usage: { kwh: kwh(20000) } };
  if (r < 89)
    return {
      tariff: at(GANSU_CODES.agriculture),
      period,
      account: { category: 'agriculture', voltageLevel: '10kV', pfStandard: '0.80', capacityKva: '160' },
      usage: { kwh: kwh(30000), kvarh: kwh(20000) },
    };
  if (r < 98)
    return {
      tariff: at(GANSU_CODES.ciSinglePart),
      agentPrices: prices,
      period,
      account: { category: 'commercial', voltageLevel: r < 93 ? '0.4kV' : '10kV', agentMultiplier: r === 97 ? '1.5' : '1', pfStandard: r >= 95 ? '0.85' : null, capacityKva: r >= 95 ? '200' : null },
      usage: { kwhByPeriod: { peak: kwh(5000), flat: kwh(8000), valley: kwh(6000) }, kvarh: kwh(8000) },
    };
  return {
    tariff: at(GANSU_CODES.ciTwoPart),
    agentPrices: prices,
    period,
    account: { category: 'large_industry', voltageLevel: '10kV', pfStandard: '0.90', capacityKva: '1000', contractDemandKw: '400', basicChargeBasis: r === 98 ? 'demand' : 'capacity' },
    usage: { kwhByPeriod: { peak: kwh(100000), flat: kwh(150000), valley: kwh(100000) }, kvarh: kwh(200000), maxDemandKw: kwh(500), days: i % 50 === 0 ? '12' : null },
  };
}

// Inputs are built before the clock starts: the bill run reads them from the database.
const distinct = Math.min(n, 200_000);
const inputs = Array.from({ length: distinct }, (_, i) => input(i));
for (let i = 0; i < Math.min(n, 50_000); i++) rate(inputs[i % distinct]!); // warm-up

const t0 = process.hrtime.bigint();
let totalFen = 0;
let lines = 0;
for (let i = 0; i < n; i++) {
  const r = rate(inputs[i % distinct]!);
  totalFen += r.totalFen;
  lines += r.lines.length;
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${n} bills, ${lines} lines, total ${(totalFen / 100).toFixed(2)} 元 in ${seconds.toFixed(2)} s: ${((seconds * 1e6) / n).toFixed(2)} µs/bill, ${Math.round(n / seconds)} bills/s`);
