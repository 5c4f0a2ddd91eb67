import { AppError } from './errors.js';

/** Cursor pagination over an ascending numeric id: the cursor is the last id seen, opaque to clients. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export function encodeCursor(lastId: number): string {
  return Buffer.from(`id:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^id:(\d{1,15})$/.exec(text);
  if (!match) throw new AppError('BAD_REQUEST', 'cursor: not a cursor this API returned', { errors: [{ field: 'cursor', message: 'malformed' }] });
  return Number(match[1]);
}

/** Repositories fetch limit+1 rows; this trims and computes the next cursor. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last.id) : null };
}
