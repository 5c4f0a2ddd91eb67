import type { Trx } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import type { Ctx } from '../../org/index.js';
import { priceTableFromGrid } from '../domain/price-table-import.js';
import { gridOf } from '../spreadsheets.js';
import { requirePermission } from './guards.js';
import { storeDraft } from './save-price-table-draft.js';
import type { PriceTable } from '../tariffs.types.js';

/**
 * A month's table from a CSV or xlsx file (the format is told by the content, not the name). Every row
 * is checked; any problem → 422 listing each with its row and column, and nothing is written.
 */
export async function importPriceTable(trx: Trx, ctx: Ctx, month: string, body: unknown): Promise<PriceTable> {
  requirePermission(ctx, 'tariffs.write', 'import agent-purchase price tables');
  if (!Buffer.isBuffer(body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the file itself as the body, as text/csv or the xlsx content type');
  if (!body.length) throw new AppError('VALIDATION', 'file: the upload is empty', { errors: [{ field: 'file', code: 'empty', message: 'is empty' }] });
  const { format, grid } = await gridOf(body);
  const { table, problems, ignoredColumns } = priceTableFromGrid(grid, month);
  if (!table) {
    const head = problems.slice(0, 3).map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new AppError('VALIDATION', `the ${format} file has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${head}${problems.length > 3 ? '; …' : ''}`, {
      errors: problems,
      format,
      ignoredColumns,
    });
  }
  return { ...(await storeDraft(trx, ctx, table, format)), ignoredColumns };
}
