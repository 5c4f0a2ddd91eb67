import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null | undefined | readonly string[];

/** Escapes one value for COPY text format: \N for null, backslash escapes for tab, newline, CR and backslash. */
export function copyText(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (Array.isArray(value)) return copyText(`{${value.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  const s = typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** One COPY text line (with trailing newline) for a row of values in column order. */
export function copyLine(values: readonly CopyValue[]): string {
  return values.map(copyText).join('\t') + '\n';
}

/**
 * Streams rows into a table with COPY FROM STDIN on the given client (so it can join the caller's transaction).
 * `chunks` yields COPY text: strings of copyLine() output or bytes (CopyTextBuffer); batching many lines per chunk keeps it fast.
 */
export async function copyInto(client: pg.PoolClient | pg.Client, table: string, columns: readonly string[], chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void> {
  const sql = `copy ${table} (${columns.join(', ')}) from stdin`;
  const sink = client.query(copyFrom(sql));
  await pipeline(Readable.from(chunks, { objectMode: false }), sink);
}
