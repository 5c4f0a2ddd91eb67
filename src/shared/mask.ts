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
