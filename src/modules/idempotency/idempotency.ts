import { createHash } from 'node:crypto';
import type { Executor } from '../../db/tx.js';
import { AppError } from '../../shared/errors.js';
import { insertKeys, lockAndFindKeys } from './idempotency.repository.js';

/**
 * Idempotency-Key for money-moving POSTs (DESIGN §6): same key + same request → the first response replayed;
 * same key + a different request → 422; same key while the first is still in flight → 409.
 *
 * The key is stored in the same transaction as the effect it guards, so a crash leaves neither and the
 * retry applies once. While the first request's transaction is open it holds an advisory lock on the key;
 * a second request that cannot take the lock answers 409 instead of waiting.
 */

export interface IdempotentRequest {
  /** whose keys these are, e.g. `user:12` — a key is only replayed to the same caller */
  scope: string;
  key: string;
  /** what was asked: method, route and body */
  method: string;
  route: string;
  body: unknown;
}

export interface IdempotentResult<T> {
  statusCode: number;
  body: T;
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

export function checkKey(key: string | undefined, required: boolean): string | null {
  if (key === undefined || key === '') {
    if (required) throw new AppError('VALIDATION', 'Idempotency-Key header is required for this request', { errors: [{ field: 'Idempotency-Key', message: 'required' }] });
    return null;
  }
  if (!KEY.test(key)) throw new AppError('VALIDATION', 'Idempotency-Key must be 1–200 printable ASCII characters', { errors: [{ field: 'Idempotency-Key', message: '1–200 printable ASCII characters' }] });
  return key;
}

export function requestHash(r: Pick<IdempotentRequest, 'method' | 'route' | 'body'>): string {
  return createHash('sha256').update(`${r.method}\n${r.route}\n${canonicalJson(r.body)}`).digest('hex');
}

/** What a request may do with its key: go ahead (fresh), answer the stored response (replay), or nothing (an AppError). */
export type KeyClaim<T> = { kind: 'fresh'; requestHash: string } | { kind: 'replay'; statusCode: number; body: T };

/**
 * Claims the keys of several requests at once (one round trip), in input order. A key repeated within the
 * batch is in flight for all but its first request.
 */
export async function claimKeys<T>(trx: Executor, requests: readonly IdempotentRequest[]): Promise<(KeyClaim<T> | AppError)[]> {
  const found = await lockAndFindKeys(trx, requests);
  const seen = new Set<string>();
  return requests.map((r, i) => {
    const { locked, stored } = found[i]!;
    const id = `${r.scope}\n${r.key}`;
    if (!locked || seen.has(id)) return inFlight();
    seen.add(id);
    const hash = requestHash(r);
    if (!stored) return { kind: 'fresh', requestHash: hash };
    if (stored.request_hash !== hash)
      return new AppError('VALIDATION', 'this Idempotency-Key was used for a different request', { errors: [{ field: 'Idempotency-Key', message: 'already used for a different request' }] });
    return { kind: 'replay', statusCode: stored.status_code, body: stored.response as T };
  });
}

/** Stores the answers of fresh requests, in the transaction of the effects they guard. */
export async function storeKeys(trx: Executor, answers: readonly { request: IdempotentRequest; requestHash: string; statusCode: number; body: unknown }[]): Promise<void> {
  await insertKeys(
    trx,
    answers.map((a) => ({ scope: a.request.scope, key: a.request.key, requestHash: a.requestHash, statusCode: a.statusCode, response: a.body })),
  );
}

export const inFlight = () => new AppError('CONFLICT', 'a request with this Idempotency-Key is still in progress; retry later');

/** JSON with object keys sorted, so the same body written in another key order is the same request. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}
