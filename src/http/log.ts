import type { FastifyRequest } from 'fastify';
import { maskPhone } from '../shared/mask.js';

/** Query parameters that may hold personal data: searches (names, phones), phones, ID numbers. */
const PERSONAL = new Set(['q', 'name', 'phone', 'idNumber']);

/**
 * The URL as the request log writes it: personal query values masked — a phone number keeps its masked
 * form (135****1336), anything else becomes `***`. The path and other parameters stay as they were.
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  let changed = false;
  for (const [key, value] of params) {
    if (!PERSONAL.has(key)) continue;
    params.set(key, /^\+?[0-9]{7,20}$/.test(value.trim()) ? maskPhone(value.trim())! : '***');
    changed = true;
  }
  return changed ? `${url.slice(0, at)}?${params.toString().replace(/%2A/g, '*')}` : url;
}

/** Fastify's request serializer, with the URL redacted. */
export const logSerializers = {
  req: (request: FastifyRequest) => ({ method: request.method, url: redactUrl(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort }),
};
