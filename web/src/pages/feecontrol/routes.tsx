import { lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import { NotFoundPage } from '../NotFoundPage';

// The fee-control pages load when first opened (they bring ECharts).
const MonitorPage = lazy(() => import('./MonitorPage'));
const LargeCustomersPage = lazy(() => import('./LargeCustomersPage'));

/** /fee-control/*: 费控监控 (tabs in ?tab=) and 大客户余额 (live). */
export function FeeControlRoutes() {
  return (
    <Routes>
      <Route index element={<MonitorPage />} />
      <Route path="large" element={<LargeCustomersPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
