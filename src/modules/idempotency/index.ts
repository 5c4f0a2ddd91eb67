/** Idempotency-Key semantics for money-moving POSTs (DESIGN §6). */
export { canonicalJson, checkKey, idempotent, inFlight, requestHash, type IdempotentRequest, type IdempotentResult } from './idempotency.js';
