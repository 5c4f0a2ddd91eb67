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

const BENCHES: Record<string, { defaultAccounts: number; load: () => Promise<{ run(opts: BenchOptions): Promise<BenchResult> }> }> = {
  demo: { defaultAccounts: 20_000, load: () => import('./demo.js') },
};

const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n)) throw new Error(`--${name} expects a whole number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { accounts: { type: 'string' }, seed: { type: 'string' } } });
  const name = positionals[0];
  const bench = name ? BENCHES[name] : undefined;
  if (!name || !bench) throw new Error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [--accounts N] [--seed S]`);
  const opts: BenchOptions = { accounts: wholeNumber('accounts', values.accounts, bench.defaultAccounts), seed: wholeNumber('seed', values.seed, 1) };

  const result = await (await bench.load()).run(opts);
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
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
