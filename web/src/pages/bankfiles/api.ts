import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, apiUpload, withQuery } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { Page } from '../../api/types';

/** The bank debit file API (代扣回盘): src/modules/bankfiles/bankfiles.types.ts. Money is integer fen. */

/** Banks the county collects through (the code goes in the request; any code the API's pattern allows works). */
export const BANKS = ['ICBC', 'ABC', 'CCB', 'BOC', 'PSBC', 'RCC'] as const;

export type { BankBatch, BankBatchDetail, ImportResponse } from '../../../../src/modules/bankfiles/bankfiles.types';
import type { BankBatch, BankBatchDetail, ImportResponse } from '../../../../src/modules/bankfiles/bankfiles.types';

export const bankKeys = { list: ['bank-files'] as const, batch: (id: number) => ['bank-file', id] as const };

export function useBankBatches(enabled = true) {
  return useInfiniteQuery({
    queryKey: bankKeys.list,
    queryFn: ({ pageParam, signal }) => api<Page<BankBatch>>(withQuery('/bank-files', { limit: 50, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    meta: { silentStatuses: [403] } satisfies ErrorMeta,
  });
}

export function useBankBatch(id: number) {
  return useQuery({ queryKey: bankKeys.batch(id), queryFn: ({ signal }) => api<BankBatchDetail>(`/bank-files/${id}`, { signal }) });
}

export function useImportBankFile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ bank, file }: { bank: string; file: File }) => apiUpload<ImportResponse>(withQuery('/bank-files', { bank, fileName: file.name.slice(0, 200) }), file, 'text/csv'),
    onSuccess: (r) => {
      qc.setQueryData(bankKeys.batch(r.batch.id), r.batch);
      void qc.invalidateQueries({ queryKey: bankKeys.list });
    },
    meta: { handlesErrors: true },
  });
}

export const bankResultCsvUrl = (id: number) => `${API_BASE}/bank-files/${id}/result.csv`;
