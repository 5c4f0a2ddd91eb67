/** The reports API's schemas (validated by Fastify, listed in OpenAPI). The answers are files, not JSON. */
import { Type } from '../../platform/schemas.js';

export { idParams } from '../../platform/schemas.js';

const file = Type.String({ format: 'binary' });

export const pdfResponse = {
  200: { description: 'the bill as a PDF (电费通知单), Chinese text in an embedded Noto Sans SC subset', content: { 'application/pdf': { schema: file } } },
} as const;

export const xlsxResponse = {
  200: {
    description: 'the run summary workbook: sheet 汇总 (totals) and sheet 账单 (one row per bill), streamed',
    content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: file } },
  },
} as const;
