/** Idempotency-Key semantics for money-moving POSTs (DESIGN §6). */
export { canonicalJson, checkKey, claimKeys, inFlight, requestHash, storeKeys, type IdempotentRequest, type IdempotentResult, type KeyClaim } from './idempotency.js';
