/** JSON schemas of the reports API (validated by Fastify, listed in OpenAPI). The bodies are files, not JSON. */

export { idParams } from '../../platform/schemas.js';

export const pdfResponse = {
  200: { description: 'the bill as a PDF (电费通知单), Chinese text in an embedded Noto Sans SC subset', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
} as const;

export const xlsxResponse = {
  200: {
    description: 'the run summary workbook: sheet 汇总 (totals) and sheet 账单 (one row per bill), streamed',
    content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } },
  },
} as const;
