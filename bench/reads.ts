import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type pg from 'pg';
import type { DatabaseHandle } from '../src/db/connect.js';
import { ingestReadsBulk, parseReadsPayload, type BatchResult } from '../src/modules/metering/index.js';
import { populate } from './bill-run.js';
import type { BenchOptions, BenchResult } from './run.js';
import { throwawayServer } from './support.js';

/**
 * `npm run bench -- reads [--accounts N]`: daily frozen reads in on the bulk path (issue 18) — N meters
 * (default 200,000) × DAYS days = the reads, in head-end batches of 50,000 reads of one day, each batch
 * NDJSON text → parseReadsPayload → ingestReadsBulk (the rules against each meter's stored reads, in
 * chunks of 10,000 reads: a context query and a COPY each, one transaction per batch): what
 * `POST /api/v1/reads` does after Fastify.
 *
 * Set-up (not timed): the bill-run benchmark's population (N accounts, one meter each: households, commerce
 * and agriculture with time-of-use registers, industry behind 100× transformers), one stored read per meter
 * on the day before, vacuumed, analysed and checkpointed; the batches' text built beforehand. Each day a meter
 * advances: a household 5–15 kWh, commerce 20–200, agriculture 30–300, industry 10,000–15,000 kWh (above
 * half its 1,000 kVA supply from 12,000: flagged); and 1 read in 2,000 each names an unknown meter, goes
 * backwards, or comes twice in its batch.
 * Floor: after each batch, the rows it wrote, COPYed out (not timed), then COPYed in one transaction into
 * daily_read of a second database set up the same way (same population and stored reads, same indexes, keys
 * and triggers). The slices alternate, so both see the same drift of a shared machine, and autovacuum, which
 * the commits wake in either database, falls in both.
 */

export const defaultAccounts = 200_000;

const DAYS = 5;
const BATCH = 50_000;
const FIRST_DAY = '2026-12-01';
const NOW = new Date('2026-12-10T04:00:00Z');

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const meters = opts.accounts;
  const server = await throwawayServer();
  try {
    console.error(`reads bench: ${meters} meters × ${DAYS} days, ${server.description}`);
    const setUp = performance.now();
    const db = await server.database('reads');
    const floorDb = await server.database('floor');
    await prepare(db, meters);
    await prepare(floorDb, meters);
    const batches = buildBatches(meters);
    const reads = batches.reduce((s, b) => s + b.reads, 0);
    const textMiB = batches.reduce((s, b) => s + Buffer.byteLength(b.text), 0) / 2 ** 20;
    console.error(`set-up: ${meters} meters in two databases, ${reads} reads in ${batches.length} batches, ${textMiB.toFixed(1)} MiB of NDJSON (${((performance.now() - setUp) / 1000).toFixed(1)} s)`);

    const totals: Omit<BatchResult, 'refused' | 'flagged'> & { refused: Record<string, number>; flagged: number } = { received: 0, accepted: 0, duplicates: 0, refused: {}, flagged: 0 };
    const perBatch: number[] = [];
    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
    const cpu = { node: 0, postgres: 0 };
    const floorCpu = { node: 0, postgres: 0 };
    let seconds = 0;
    let floorSeconds = 0;
    const floorClient = await floorDb.pool.connect();
    try {
      for (const [i, b] of batches.entries()) {
        // the ingest's slice
        let before = await cpuSeconds(db.pool);
        let t = performance.now();
        const result = await ingestReadsBulk(db.pool, parseReadsPayload(b.text), { source: 'ami', now: NOW });
        const slice = (performance.now() - t) / 1000;
        addCpu(cpu, cpuSince(before, await cpuSeconds(db.pool)));
        seconds += slice;
        perBatch.push(slice);
        totals.received += result.received;
        totals.accepted += result.accepted;
        totals.duplicates += result.duplicates;
        totals.flagged += result.flagged.length;
        for (const r of result.refused) totals.refused[r.reason] = (totals.refused[r.reason] ?? 0) + 1;
        // the floor's slice: the rows this batch wrote, COPYed in one transaction into the other database
        const rows = await rowsOf(db.pool, b);
        before = await cpuSeconds(floorDb.pool);
        t = performance.now();
        await floorClient.query('begin');
        await pipeline(Readable.from([rows]), floorClient.query(copyFrom('copy daily_read from stdin')));
        await floorClient.query('commit');
        floorSeconds += (performance.now() - t) / 1000;
        addCpu(floorCpu, cpuSince(before, await cpuSeconds(floorDb.pool)));
        if ((i + 1) % 5 === 0 || i === batches.length - 1)
          console.error(`  batch ${i + 1}/${batches.length}: ${Math.round(totals.received / seconds)} reads/s so far, ${(seconds / floorSeconds).toFixed(2)}× the floor`);
      }
    } finally {
      floorClient.release();
    }
    const written = await db.pool.query<{ n: number }>(`select count(*)::int as n from daily_read where read_on >= '${FIRST_DAY}'`);
    if (written.rows[0]!.n !== totals.accepted) throw new Error(`accepted ${totals.accepted}, written ${written.rows[0]!.n}`);
    const floor = { seconds: floorSeconds };
    await db.close();
    await floorDb.close();

    const perSecond = Math.round(reads / seconds);
    const sorted = [...perBatch].sort((a, b) => a - b);
    const refused = Object.entries(totals.refused).map(([k, v]) => `${k} ${v}`).join(', ');
    return {
      n: reads,
      seconds,
      floorSeconds: floor.seconds,
      figures: {
        meters,
        days: DAYS,
        batchSize: BATCH,
        readsPerSecond: perSecond,
        floorReadsPerSecond: Math.round(totals.accepted / floor.seconds),
        accepted: totals.accepted,
        duplicates: totals.duplicates,
        refused: Object.values(totals.refused).reduce((s, v) => s + v, 0),
        flagged: totals.flagged,
        batchP50Seconds: round(sorted[Math.floor(sorted.length / 2)]!, 3),
        batchMaxSeconds: round(sorted.at(-1)!, 3),
        floorSeconds: round(floor.seconds, 2),
        nodeCpuSeconds: round(cpu.node, 2),
        postgresCpuSeconds: round(cpu.postgres, 2),
        floorNodeCpuSeconds: round(floorCpu.node, 2),
        floorPostgresCpuSeconds: round(floorCpu.postgres, 2),
        cpuRatioToFloor: round((cpu.node + cpu.postgres) / (floorCpu.node + floorCpu.postgres), 2),
        ndjsonMiB: round(textMiB),
        rssBeforeIngestMiB: rssBefore,
      },
      notes: [
        `server: ${server.description}; ${meters} meters with one stored read each on the day before; ${reads} reads over ${DAYS} days in ${batches.length} batches of ${BATCH} (${round(textMiB)} MiB of NDJSON)`,
        `ingest (parseReadsPayload + ingestReadsBulk per batch, one transaction each): ${round(seconds, 2)} s, ${perSecond} reads/s; a batch p50 ${round(sorted[Math.floor(sorted.length / 2)]!, 3)} s, max ${round(sorted.at(-1)!, 3)} s`,
        `outcome: ${totals.accepted} accepted (${totals.flagged} flagged high_use), ${totals.duplicates} duplicates, refused: ${refused}`,
        `floor: COPY of the ${totals.accepted} rows written into daily_read of a second database set up the same way, each batch's rows in one transaction right after the batch (alternating slices: both see the machine's drift): ${round(floor.seconds, 2)} s (${Math.round(totals.accepted / floor.seconds)} rows/s)`,
        `CPU (independent of what else runs on the machine): the ingest ${round(cpu.node, 2)} s in Node + ${round(cpu.postgres, 2)} s in PostgreSQL, the floor ${round(floorCpu.node, 2)} s + ${round(floorCpu.postgres, 2)} s: ${round((cpu.node + cpu.postgres) / (floorCpu.node + floorCpu.postgres), 2)}×`,
        `target: ≥ 200,000 reads/s and ≤ 1.5 × the floor`,
      ],
    };
  } finally {
    await server.close();
  }
}

const round = (v: number, digits = 1) => Number(v.toFixed(digits));

/**
 * CPU used so far by this process and by the database's server processes (its backends, read from /proc:
 * the server runs on this machine — embedded, or a local DATABASE_URL); 0 for PostgreSQL where /proc
 * cannot be read. What else runs on the machine does not change it, unlike the wall-clock figures.
 */
async function cpuSeconds(pool: pg.Pool): Promise<{ node: number; postgres: Map<number, number> }> {
  const u = process.cpuUsage();
  const { rows } = await pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
  const postgres = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      postgres.set(pid, Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9);
    } catch {
      // another machine's server, or a backend gone
    }
  }
  return { node: (u.user + u.system) / 1e6, postgres };
}

function cpuSince(before: Awaited<ReturnType<typeof cpuSeconds>>, after: Awaited<ReturnType<typeof cpuSeconds>>): { node: number; postgres: number } {
  let postgres = 0;
  for (const [pid, s] of after.postgres) postgres += s - (before.postgres.get(pid) ?? 0);
  return { node: after.node - before.node, postgres };
}

/** The rows a batch wrote (its day, its meters), as COPY text. */
async function rowsOf(pool: pg.Pool, b: Batch): Promise<Buffer> {
  const client = await pool.connect();
  try {
    const chunks: Buffer[] = [];
    const stream = client.query(copyTo(`copy (select * from daily_read where read_on = '${b.readOn}' and meter_id between ${b.fromId} and ${b.toId}) to stdout`));
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    client.release();
  }
}

function addCpu(sum: { node: number; postgres: number }, slice: { node: number; postgres: number }): void {
  sum.node += slice.node;
  sum.postgres += slice.postgres;
}

/** The population and one stored read per meter on the day before the first, then vacuum, analyse, checkpoint. */
async function prepare(db: DatabaseHandle, meters: number): Promise<void> {
  await populate(db, meters);
  await db.pool.query(`
    insert into daily_read (account_id, meter_id, read_on, total, peak, flat, valley, source)
    select m.account_id, m.id, date '${FIRST_DAY}' - 1, b.total / 100.0,
           case when tou then b.total * 3 / 10 / 100.0 end, case when tou then (b.total - b.total * 3 / 10 - b.total * 3 / 10) / 100.0 end,
           case when tou then b.total * 3 / 10 / 100.0 end, 'ami'
    from meter m cross join lateral (select ${baseSql('m.id')} as total, m.registers @> array['peak'] as tou) b`);
  await db.pool.query('vacuum (analyze)');
  await db.pool.query('checkpoint');
}

/** A meter's register on the day before the first, in hundredths (the same in SQL and below). */
const baseSql = (id: string) => `(${id} * 7717 % 200000) * 100`;
const base = (id: number) => ((id * 7717) % 200000) * 100;

/** Daily advance in hundredths of a register unit, by the population's category mix (bill-run.ts: r = id × 7919 mod 1000). */
function advance(id: number, day: number): number {
  const r = (id * 7919) % 1000;
  const spread = (id * 31 + day * 17) % 1000; // 0–999
  if (r < 870) return 500 + spread; // household 5–15 kWh
  if (r < 960) return 2000 + spread * 18; // commerce 20–200
  if (r < 990) return 3000 + spread * 27; // agriculture 30–300
  return 10_000 + spread * 5; // industry 100–150 units × 100 = 10,000–15,000 kWh
}

const TOU = (id: number) => {
  const r = (id * 7919) % 1000;
  return r >= 870 && r < 990; // commerce and agriculture: total, peak, flat, valley (bill-run.ts)
};
const dec = (h: number) => `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;

/** Each day's reads of every meter, as NDJSON batches of BATCH reads (1 in 2,000 unknown, backwards or repeated). */
interface Batch {
  text: string;
  reads: number;
  readOn: string;
  fromId: number;
  toId: number;
}

function buildBatches(meters: number): Batch[] {
  const out: Batch[] = [];
  const totals = new Float64Array(meters + 1);
  for (let id = 1; id <= meters; id++) totals[id] = base(id);
  for (let day = 1; day <= DAYS; day++) {
    const readOn = new Date(Date.parse(`${FIRST_DAY}T00:00:00Z`) + (day - 1) * 86_400_000).toISOString().slice(0, 10);
    let lines: string[] = [];
    let fromId = 1;
    let toId = 0;
    const flush = () => {
      out.push({ text: lines.join('\n'), reads: lines.length, readOn, fromId, toId });
      lines = [];
      fromId = toId + 1;
    };
    for (let id = 1; id <= meters; id++) {
      const previous = totals[id]!;
      const total = previous + advance(id, day);
      totals[id] = total;
      const odd = (id * 131 + day * 977) % 2000;
      const meterNo = odd === 1 ? `X${id}` : `M${id}`;
      const value = odd === 2 ? previous - 1 : total; // backwards: below the stored read
      const read: Record<string, string> = { meterNo, readOn, total: dec(value) };
      if (TOU(id)) {
        const peak = Math.floor((value * 3) / 10);
        read.peak = dec(peak);
        read.flat = dec(value - 2 * peak);
        read.valley = dec(peak);
      }
      const line = JSON.stringify(read);
      toId = id;
      lines.push(line);
      if (odd === 3 && lines.length < BATCH) lines.push(line); // the head-end sent it twice
      if (lines.length >= BATCH) flush();
    }
    if (lines.length) flush();
  }
  return out;
}
