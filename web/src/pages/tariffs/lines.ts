import type { TFunction } from 'i18next';

/** A bill line's code in words: energy.tier2 → 第 2 档电量电费; unknown codes stay as they are. */
export function lineLabel(t: TFunction, code: string): string {
  const tier = /^energy\.tier(\d+)$/.exec(code);
  if (tier) return t('tariffs.lines.energy_tier', { n: tier[1] });
  return t(`tariffs.lines.${code.replace(/\./g, '_')}`, { defaultValue: code });
}
