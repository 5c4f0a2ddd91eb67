import { lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import { NotFoundPage } from '../NotFoundPage';

// The tariff pages load when first opened (the impact page brings ECharts with it).
const CataloguePage = lazy(() => import('./CataloguePage').then((m) => ({ default: m.CataloguePage })));
const QuotePage = lazy(() => import('./QuotePage').then((m) => ({ default: m.QuotePage })));
const AgentPricesPage = lazy(() => import('./AgentPricesPage').then((m) => ({ default: m.AgentPricesPage })));
const ImpactPage = lazy(() => import('./ImpactPage').then((m) => ({ default: m.ImpactPage })));

/** /tariffs/*: 电价目录, 电费试算, 代理购电价格, 调价影响. */
export function TariffRoutes() {
  return (
    <Routes>
      <Route index element={<CataloguePage />} />
      <Route path="quote" element={<QuotePage />} />
      <Route path="agent-prices" element={<AgentPricesPage />} />
      <Route path="impact" element={<ImpactPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
