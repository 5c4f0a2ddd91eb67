import type { Executor } from '../../../db/tx.js';
import { listAccountBills } from '../billing.repository.js';

export interface IssuedBill {
  billId: number;
  period: string;
  totalFen: number;
  kwh: string | null;
  issuedAt: Date;
}

/**
 * An account's issued regular bills, newest first (for comparisons such as fee control's estimates vs bills).
 * No scope check: the caller has checked the account.
 */
export async function issuedRegularBills(db: Executor, accountId: number, limit = 36): Promise<IssuedBill[]> {
  const out: IssuedBill[] = [];
  let beforeId: number | null = null;
  for (;;) {
    const rows = await listAccountBills(db, accountId, { beforeId, limit: 100 });
    const page = rows.slice(0, 100);
    for (const b of page) {
      if (b.kind === 'regular' && b.status === 'issued' && b.issued_at) out.push({ billId: b.id, period: b.period, totalFen: b.total_fen, kwh: b.kwh, issuedAt: b.issued_at });
    }
    if (rows.length <= 100 || out.length >= limit) return out.slice(0, limit);
    beforeId = page[page.length - 1]!.id;
  }
}
