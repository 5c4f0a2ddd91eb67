import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineDescription, peakRssMiB } from './support.js';

/**
 * Benchmark dispatcher (DESIGN §9): `npm run bench -- <name> [--accounts N] [--seed S]`.
 * Prints the figures, appends a dated entry to bench/RESULTS.md, and prints as its last line one JSON
 * object {bench, n, seconds, ratioToFloor, peakRssMiB, …figures}.
 */

export interface BenchOptions {
  accounts: number;
  seed: number;
}

export interface BenchResult {
  n: number;
  seconds: number;
  /** The physical floor measured in the same run (e.g. PostgreSQL COPY of the same rows). */
  floorSeconds: number;
  figures: Record<string, number | string>;
  /** Lines for RESULTS.md. */
  notes: string[];
}

/** What a benchmark file `bench/<name>.ts` exports. */
export interface BenchModule {
  run(opts: BenchOptions): Promise<BenchResult>;
  /** --accounts when none is given (default 20,000). */
  defaultAccounts?: number;
}

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(BENCH_DIR, 'RESULTS.md');
const NOT_BENCHES = new Set(['run', 'support']);

/** Every bench/<name>.ts is a benchmark, so adding one needs no registration here. */
function benchNames(): string[] {
  return fs
    .readdirSync(BENCH_DIR)
    .filter((f) => /^[a-z0-9-]+\.ts$/.test(f))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_BENCHES.has(n))
    .sort();
}

class UsageError extends Error {}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} expects a whole number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { accounts: { type: 'string' }, seed: { type: 'string' } } });
  const name = positionals[0];
  if (!name || !benchNames().includes(name)) throw new UsageError(`usage: npm run bench -- <${benchNames().join('|')}> [--accounts N] [--seed S]`);
  const bench = (await import(`./${name}.js`)) as BenchModule;
  const opts: BenchOptions = { accounts: wholeNumber('accounts', values.accounts, bench.defaultAccounts ?? 20_000), seed: wholeNumber('seed', values.seed, 1) };

  const result = await bench.run(opts);
  const summary = {
    bench: name,
    n: result.n,
    seconds: Number(result.seconds.toFixed(1)),
    ratioToFloor: Number((result.seconds / result.floorSeconds).toFixed(2)),
    peakRssMiB: peakRssMiB(),
    seed: opts.seed,
    ...result.figures,
  };
  const entry = [
    `## ${new Date().toISOString().slice(0, 10)} · ${name} · n = ${result.n.toLocaleString('en')}`,
    '',
    `${summary.seconds} s, ${summary.ratioToFloor}× the floor (${result.floorSeconds.toFixed(1)} s), peak RSS ${summary.peakRssMiB} MiB — ${machineDescription()}`,
    '',
    ...result.notes.map((n) => `- ${n}`),
    '',
    '```json',
    JSON.stringify(summary),
    '```',
    '',
  ].join('\n');
  fs.appendFileSync(RESULTS, `\n${entry}`);
  console.log(entry);
  console.log(JSON.stringify(summary));
}

main().catch((err: unknown) => {
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
