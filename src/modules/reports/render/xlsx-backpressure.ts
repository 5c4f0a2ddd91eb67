import type { Worksheet } from 'exceljs';

/**
 * Backpressure for exceljs' streaming writer. A streamed worksheet writes its XML into a buffer that
 * pushes to the zip (archiver) entry stream without looking at what the entry stream answers, so when
 * rows come faster than deflate takes them, the XML piles up in that entry stream's write buffer: a
 * million-bill sheet held ~600 MB there (peak RSS 790 MB). Waiting for that stream to drain between
 * batches keeps it near one batch (peak RSS ~150 MB, and faster, with less garbage to collect).
 *
 * exceljs does not expose the entry stream; this reads it from its internals (WorksheetWriter.stream is
 * a StreamBuf whose `pipes` are the destinations). If a new exceljs version moves it, `zipEntryStream`
 * returns null and the writer simply stops pacing itself — the unit test beside this file fails then.
 */

interface DrainableStream {
  writableNeedDrain?: boolean;
  _writableState?: { needDrain?: boolean; length?: number };
  on(event: 'drain', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

export function zipEntryStream(sheet: Worksheet): DrainableStream | null {
  const buffer = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream;
  const dest = buffer?.pipes?.[0] as DrainableStream | undefined;
  return dest && typeof dest.on === 'function' ? dest : null;
}

/** Bytes waiting in the sheet's zip entry stream (0 when unknown). */
export function zipBacklog(sheet: Worksheet): number {
  return zipEntryStream(sheet)?._writableState?.length ?? 0;
}

/**
 * Resolves when the sheet's zip entry stream has taken what it was given (at once when it has), or when
 * `out` closes — a client that goes away stops the zip, and its entry would then never drain.
 */
export async function roomInZip(sheet: Worksheet, out: NodeJS.EventEmitter): Promise<void> {
  const dest = zipEntryStream(sheet);
  if (dest && (dest.writableNeedDrain ?? dest._writableState?.needDrain)) await drainOrClose(dest as unknown as NodeJS.EventEmitter, out);
}

/** Resolves on the first of `stream`'s 'drain' and `out`'s 'close' (or 'error'), removing its listeners. */
export function drainOrClose(stream: NodeJS.EventEmitter, out: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.removeListener('drain', done);
      out.removeListener('close', done);
      out.removeListener('error', done);
      resolve();
    };
    stream.once('drain', done);
    out.once('close', done);
    out.once('error', done);
  });
}
