import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { progressReporter } from '../src/cli/progress.js';
import { demoCalendar } from '../src/modules/simulator/domain/calendar.js';
import { planCounty } from '../src/modules/simulator/domain/county.js';
import { DEMO_PASSES, newTally, type DemoInput } from '../src/modules/simulator/domain/rows.js';
import { createDemoCounty, DEFERRED_TABLES } from '../src/modules/simulator/use-cases/create-demo-county.js';
import { loadTables, type LoadStep } from '../src/modules/simulator/use-cases/load-tables.js';
import { hashPassword } from '../src/shared/password.js';
import type { BenchOptions, BenchResult } from './run.js';
import { throwawayServer } from './support.js';

/**
 * `npm run bench -- demo --accounts N --seed S`: the demo county generator against its floor.
 * Run: createDemoCounty into a fresh database. Floor: the very same COPY text, encoded beforehand to
 * files, loaded into another fresh database by the same load procedure (one transaction, deferred
 * indexes and keys, sequences, analyze). The ratio is what generating the text on the fly costs.
 */

export const defaultAccounts = 20_000;

// A fixed business date keeps row counts comparable between runs on different days.
const AS_OF = new Date('2026-05-20T12:00:00+08:00');

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const server = await throwawayServer();
  const textDir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-bench-text-'));
  try {
    console.error(`demo bench: ${opts.accounts} accounts, seed ${opts.seed}, ${server.description}`);
    const demoDb = await server.database('demo');
    const summary = await createDemoCounty(demoDb, { accounts: opts.accounts, seed: opts.seed, asOf: AS_OF, onProgress: progressReporter() });
    const dbBytes = Number((await demoDb.pool.query<{ b: string }>('select pg_database_size(current_database()) as b')).rows[0]!.b);
    await demoDb.close();

    console.error('floor: encoding the same COPY text to files');
    const input: DemoInput = { plan: planCounty(opts.accounts, opts.seed), cal: demoCalendar(AS_OF), passwordHash: await hashPassword('granary-demo') };
    const encodeStarted = performance.now();
    const files = await encodeToFiles(input, textDir);
    const encodeSeconds = (performance.now() - encodeStarted) / 1000;
    const textBytes = files.reduce((n, f) => n + fs.statSync(f.file).size, 0);

    console.error('floor: loading the files');
    const floorDb = await server.database('floor');
    const floorStarted = performance.now();
    const floorPhases = await loadTables(floorDb, files.map((f) => f.step), { deferTables: DEFERRED_TABLES, report: progressReporter() });
    const floorSeconds = (performance.now() - floorStarted) / 1000;
    await floorDb.close();

    const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    const phase = (list: { phase: string; seconds: number }[], name: string) => Number((list.find((p) => p.phase === name)?.seconds ?? 0).toFixed(1));
    const figures = {
      rows,
      rowsPerSecond: Math.round(rows / summary.seconds),
      floorSeconds: Number(floorSeconds.toFixed(1)),
      encodeSeconds: Number(encodeSeconds.toFixed(1)),
      cycleReads: summary.rows.cycle_read ?? 0,
      dailyReads: summary.rows.daily_read ?? 0,
      cycleReadSeconds: phase(summary.phases, 'cycle reads'),
      dailyReadSeconds: phase(summary.phases, 'daily reads'),
      indexSeconds: phase(summary.phases, 'indexes and keys'),
      floorCycleReadSeconds: phase(floorPhases, 'cycle reads'),
      floorDailyReadSeconds: phase(floorPhases, 'daily reads'),
      floorIndexSeconds: phase(floorPhases, 'indexes and keys'),
      textGiB: Number((textBytes / 2 ** 30).toFixed(2)),
      databaseGiB: Number((dbBytes / 2 ** 30).toFixed(2)),
    };
    const table = (list: { phase: string; seconds: number }[]) => list.map((p) => `${p.phase} ${p.seconds.toFixed(1)} s`).join(' · ');
    return {
      n: opts.accounts,
      seconds: summary.seconds,
      floorSeconds,
      figures,
      notes: [
        `server: ${server.description}; asOf ${summary.asOfDate}`,
        `rows: ${Object.entries(summary.rows).map(([t, n]) => `${t} ${n}`).join(', ')}`,
        `run phases: ${table(summary.phases)}`,
        `floor phases: ${table(floorPhases)}`,
        `floor = the same ${figures.textGiB} GiB of COPY text pre-encoded to files (encoding took ${figures.encodeSeconds} s) and loaded the same way; database ${figures.databaseGiB} GiB`,
      ],
    };
  } finally {
    fs.rmSync(textDir, { recursive: true, force: true });
    await server.close();
  }
}

/** Writes each table's COPY text to a file and returns load steps that stream the files back. */
async function encodeToFiles(input: DemoInput, dir: string): Promise<{ file: string; step: LoadStep }[]> {
  const out: { file: string; step: LoadStep }[] = [];
  for (const pass of DEMO_PASSES) {
    const file = path.join(dir, `${pass.table}.copy`);
    const sink = fs.createWriteStream(file);
    for (const chunk of pass.chunks(input, newTally())) if (!sink.write(chunk)) await once(sink, 'drain');
    sink.end();
    await once(sink, 'finish');
    out.push({
      file,
      step: {
        phase: pass.phase,
        table: pass.table,
        columns: pass.columns,
        hasId: pass.hasId,
        chunks: { [Symbol.asyncIterator]: () => fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })[Symbol.asyncIterator]() },
      },
    });
  }
  return out;
}
