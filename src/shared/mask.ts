/** Masking of personal data in responses (phone numbers, ID numbers). */

/** 13912345678 → 139****5678; short values keep only their last 2 characters. */
export function maskPhone(phone: string | null): string | null {
  if (phone == null) return null;
  if (phone.length < 7) return '*'.repeat(Math.max(phone.length - 2, 0)) + phone.slice(-2);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** 620721199001011234 → 6207**********1234. */
export function maskIdNumber(id: string | null): string | null {
  if (id == null) return null;
  if (id.length <= 8) return '*'.repeat(id.length - 2) + id.slice(-2);
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

/** 张三丰 → 张*丰, 李四 → 李*, organisations keep their name. */
export function maskPersonName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return chars[0] + '*';
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

const PHONE_KEY = /phone|mobile/i;
const ID_KEY = /^id_?number$/i;

/**
 * A copy of an audit or log detail with phone and ID numbers masked wherever they sit (any depth); other
 * values as they were. What the audit log keeps is what any reader of it may see.
 */
export function maskPersonalData<T>(value: T): T;
export function maskPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPersonalData);
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && PHONE_KEY.test(k)) out[k] = maskPhone(v);
    else if (typeof v === 'string' && ID_KEY.test(k)) out[k] = maskIdNumber(v);
    else out[k] = maskPersonalData(v);
  }
  return out;
}
