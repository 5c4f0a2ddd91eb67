import { lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import { NotFoundPage } from '../NotFoundPage';

// The console loads when first opened.
const BillRunsPage = lazy(() => import('./BillRunsPage').then((m) => ({ default: m.BillRunsPage })));
const BillRunPage = lazy(() => import('./BillRunPage').then((m) => ({ default: m.BillRunPage })));

/** /billing/*: 电费发行 — the runs, and one run's progress, review and issue. */
export function BillingRoutes() {
  return (
    <Routes>
      <Route index element={<BillRunsPage />} />
      <Route path="runs/:id" element={<BillRunPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
