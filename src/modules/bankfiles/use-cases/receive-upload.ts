import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../shared/errors.js';

/** An uploaded file saved to a temporary file: the import reads it twice (hash, then the lines). */
export interface Upload {
  path: string;
  bytes: number;
}

/**
 * Streams a request body to a temporary file, refusing more than `limit` bytes (413) — a million-line
 * debit file is about 70 MB, more than a request body is ever held in memory for.
 */
export async function saveUpload(body: Readable, limit: number): Promise<Upload> {
  const file = path.join(os.tmpdir(), `granary-bankfile-${process.pid}-${randomBytes(6).toString('hex')}.csv`);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limit) done(new AppError('PAYLOAD_TOO_LARGE', `a bank file may have at most ${limit} bytes`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, count, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await discardUpload({ path: file, bytes });
    throw err;
  }
  return { path: file, bytes };
}

export async function discardUpload(upload: Upload): Promise<void> {
  await fs.promises.rm(upload.path, { force: true });
}
