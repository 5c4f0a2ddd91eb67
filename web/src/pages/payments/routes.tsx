import { lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import { NotFoundPage } from '../NotFoundPage';

// The collection pages load when first opened.
const CounterPage = lazy(() => import('./CounterPage').then((m) => ({ default: m.CounterPage })));
const ReceiptPage = lazy(() => import('./ReceiptPage').then((m) => ({ default: m.ReceiptPage })));
const ApprovalsPage = lazy(() => import('./ApprovalsPage').then((m) => ({ default: m.ApprovalsPage })));
const ReconciliationPage = lazy(() => import('../reconciliation/ReconciliationPage').then((m) => ({ default: m.ReconciliationPage })));
const DayItemsPage = lazy(() => import('../reconciliation/DayItemsPage').then((m) => ({ default: m.DayItemsPage })));
const BankFilesPage = lazy(() => import('../bankfiles/BankFilesPage').then((m) => ({ default: m.BankFilesPage })));

/** /payments/*: 收费 (the counter) and 收费凭证 (a receipt, reopened by its payment id). */
export function PaymentRoutes() {
  return (
    <Routes>
      <Route index element={<CounterPage />} />
      <Route path="receipt/:id" element={<ReceiptPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

/** /reconciliation/*: 对账 — the channel-day report and one day's items. */
export function ReconciliationRoutes() {
  return (
    <Routes>
      <Route index element={<ReconciliationPage />} />
      <Route path=":channel/:date" element={<DayItemsPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

export { ApprovalsPage, BankFilesPage };
