/** The reports module's public surface: bill PDFs (电费通知单) and bill-run xlsx summaries. */
export { reportsRoutes } from './reports.routes.js';
export { registerReportsCommands } from './reports.commands.js';
export { billPdf, loadBillDocument, type BillPdf } from './use-cases/bill-pdf.js';
export { runForSummary, writeRunSummary, XLSX_TYPE, type Reader, type SummaryOptions, type SummaryResult } from './use-cases/run-summary.js';
export { billDocument, PAYMENT_CHANNELS, type BillDocument } from './domain/bill-document.js';
export { yuanOf, yuanInCapitals } from './domain/money.js';
export { lineLabel } from './domain/labels.js';
export { FONT_PACKAGE, FONT_NAMES } from './render/fonts.js';
