import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';

/** The only place with SQL for meter reads. */

export interface ReadRow {
  meter_id: number;
  meter_no: string;
  period: string | null;
  read_on: string;
  total: string;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
  max_demand: string | null;
  estimated: boolean;
  multiplier: string;
}

/** Cycle reads of an account between two dates, plus the read just before `from` of each meter (for usage). */
export async function listCycleReads(db: Executor, accountId: number, from: string, to: string): Promise<ReadRow[]> {
  const result = await sql<ReadRow>`
    with reads as (
      select r.meter_id, m.meter_no, r.period, r.read_on, r.total, r.peak, r.flat, r.valley, r.reactive, r.max_demand, r.estimated, m.multiplier
      from cycle_read r join meter m on m.id = r.meter_id
      where r.account_id = ${accountId})
    select * from reads where read_on between ${from}::date and ${to}::date
    union all
    (select distinct on (meter_id) * from reads where read_on < ${from}::date order by meter_id, read_on desc)
    order by meter_id, read_on`.execute(db);
  return result.rows;
}

export async function listDailyReads(db: Executor, accountId: number, from: string, to: string): Promise<ReadRow[]> {
  const result = await sql<ReadRow>`
    with reads as (
      select r.meter_id, m.meter_no, null::text as period, r.read_on, r.total, r.peak, r.flat, r.valley,
             null::numeric as reactive, null::numeric as max_demand, false as estimated, m.multiplier
      from daily_read r join meter m on m.id = r.meter_id
      where r.account_id = ${accountId})
    select * from reads where read_on between ${from}::date and ${to}::date
    union all
    (select distinct on (meter_id) * from reads where read_on < ${from}::date order by meter_id, read_on desc)
    order by meter_id, read_on`.execute(db);
  return result.rows;
}
