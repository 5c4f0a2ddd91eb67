import type { TFunction } from 'i18next';

/**
 * A 422's problems in the reader's language: each problem's stable `code` (+ `params`) is worded by
 * tariffs.problem.*, its field path becomes the field's label (tariffs.field.*) — never the path itself.
 * A problem without a code (another module's) keeps the server's message.
 */

export interface FieldProblem {
  field: string;
  message: string;
  code?: string;
  params?: Record<string, string | number>;
  row?: number;
  column?: string;
}

/** "tariff.tiers[1].upToKwh" → segments without indices (tiers, upToKwh) and the indices met (1). */
function parse(field: string): { segments: string[]; indices: number[] } {
  const indices: number[] = [];
  const segments = field
    .replace(/\[(\d+)\]/g, (_m, n: string) => {
      indices.push(Number(n));
      return '';
    })
    .split('.')
    .filter(Boolean);
  return { segments, indices };
}

/** The field's label: the whole path, or without its `tariff.` / `agentPrices.` prefix, or its last name; with the item number. */
export function fieldLabel(t: TFunction, field: string): string {
  if (field === '(root)' || field === '') return t('tariffs.field.root');
  const { segments, indices } = parse(field);
  const has = (k: string) => t(`tariffs.field.${k}`, { defaultValue: '' }) !== '';
  const candidates = [segments.join('_'), segments.slice(1).join('_'), segments.at(-1) ?? ''].filter(Boolean);
  const key = candidates.find(has);
  if (!key) return t('tariffs.field.other');
  if (key.startsWith('tiers') && indices.length) return `${t('tariffs.field.tier', { n: indices[0]! + 1 })} ${key === 'tiers' ? '' : t(`tariffs.field.${key}`)}`.trim();
  const item = indices.length ? t('tariffs.field.item', { n: indices.at(-1)! + 1 }) : '';
  return `${t(`tariffs.field.${key}`)}${item}`;
}

/** The problem in words: by its code when the UI knows it, else the server's message. */
export function problemMessage(t: TFunction, p: FieldProblem): string {
  if (!p.code) return p.message;
  const name = parse(p.field).segments.at(-1) ?? p.field;
  return t(`tariffs.problem.${p.code}`, { ...p.params, name, defaultValue: p.message });
}

/** "label：message", for places with room for one line. */
export const problemLine = (t: TFunction, p: FieldProblem): string => `${fieldLabel(t, p.field)}：${problemMessage(t, p)}`;
