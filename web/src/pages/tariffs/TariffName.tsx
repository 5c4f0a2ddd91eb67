import { Tooltip } from 'antd';
import { useCallback } from 'react';
import { useCatalogue } from './api';

/** code → the name of its version in effect today (the catalogue), for wherever staff read a tariff; the code until it loads. */
export function useTariffNames(): (code: string | null | undefined) => string {
  const catalogue = useCatalogue();
  const items = catalogue.data?.items;
  return useCallback((code) => (code ? (items?.find((i) => i.code === code)?.name ?? code) : ''), [items]);
}

/** A tariff by its name; the code stays in the tooltip for those who work with codes. */
export function TariffName({ code }: { code: string | null | undefined }) {
  const nameOf = useTariffNames();
  if (!code) return null;
  return (
    <Tooltip title={code}>
      <span data-testid="tariff-name" data-code={code}>
        {nameOf(code)}
      </span>
    </Tooltip>
  );
}
