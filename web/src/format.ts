import type { TFunction } from 'i18next';
import i18n from './i18n';

/** A station/company name in the UI language (English name when there is one). */
export function localName(node: { name: string; nameEn?: string | null }): string {
  return i18n.language === 'en-US' && node.nameEn ? node.nameEn : node.name;
}

export const DASH = '—';

/** A code value in words when the translation has it, the code itself otherwise (new codes stay visible). */
export function label(t: TFunction, group: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return DASH;
  const key = `${group}.${value}`;
  return i18n.exists(key) ? t(key) : value;
}

/** Decimal strings are shown as sent (they are exact); only the unit is added. */
export function quantity(value: string | number | null | undefined, unit?: string): string {
  if (value === null || value === undefined || value === '') return DASH;
  return unit ? `${value} ${unit}` : String(value);
}

/** YYYY-MM-DD for a date or a timestamp, in local time. */
export function day(value: string | null | undefined): string {
  if (!value) return DASH;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return isoDay(d);
}

export function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A timestamp for people: local date and time to the minute. */
export function dateTime(value: string | Date): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString(i18n.language, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
}

export const CATEGORY_COLORS: Record<string, string> = {
  residential: 'blue',
  commercial: 'cyan',
  large_industry: 'purple',
  agriculture: 'green',
  public: 'geekblue',
  heating: 'orange',
};

export const PAYMENT_MODE_COLORS: Record<string, string> = {
  postpaid: 'default',
  smart_prepaid: 'processing',
  purchase_before_use: 'gold',
};

export const STATUS_COLORS: Record<string, string> = {
  active: 'success',
  suspended: 'warning',
  disconnected: 'error',
  closed: 'default',
};
