import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf } from '../../platform/request.js';
import { idParams, pdfResponse, xlsxResponse } from './reports.types.js';
import { billPdf, readOnly } from './use-cases/bill-pdf.js';
import { runForSummary, writeRunSummary, XLSX_TYPE } from './use-cases/run-summary.js';

type Id = { Params: { id: number } };

/**
 * Documents: a bill as a PDF (电费通知单) and a bill run's xlsx summary. Reads only (no audit entry),
 * scoped like the objects they print: another subtree's bill, another company's run → 404.
 */
export async function reportsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<Id>(
    '/bills/:id/pdf',
    {
      schema: {
        tags: ['reports'],
        summary: 'A bill as a PDF (电费通知单): account, period, reads, lines with Chinese labels, total in 元 and in capitals, due date, payment channels',
        params: idParams,
        response: pdfResponse,
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      const pdf = await billPdf(deps.db, ctx.actor.scope, request.params.id, ctx.now);
      return download(reply, pdf.filename, 'application/pdf', 'inline').send(pdf.body);
    },
  );

  app.get<Id>(
    '/bill-runs/:id/summary.xlsx',
    {
      schema: {
        tags: ['reports'],
        summary: "A bill run's summary as xlsx (streamed): totals by category, station and tariff, exceptions by kind, and every bill (company-level roles)",
        params: idParams,
        response: xlsxResponse,
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request, deps);
      const run = await runForSummary(deps.db, { role: ctx.actor.role, scope: ctx.actor.scope }, request.params.id);
      download(reply, `bill-run-${run.period}-summary.xlsx`, XLSX_TYPE, 'attachment');
      if (request.method === 'HEAD') return reply.send();
      const out = new PassThrough();
      // the workbook is written while it is sent: the reply consumes the stream, the writer waits for it
      readOnly(deps.db, (trx) => writeRunSummary(trx, ctx.actor.scope, run, out, { now: ctx.now })).catch((err: unknown) => {
        request.log.error({ err, runId: run.id }, 'bill run summary failed while streaming');
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      return reply.send(out);
    },
  );
}

function download(reply: FastifyReply, filename: string, type: string, disposition: 'inline' | 'attachment'): FastifyReply {
  return reply
    .header('content-disposition', `${disposition}; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
    .header('cache-control', 'private, no-store')
    .type(type);
}
