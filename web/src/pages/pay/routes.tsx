import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import { PageSpinner } from '../../components/PageSpinner';
import { NotFoundPage } from '../NotFoundPage';

const PayPage = lazy(() => import('./PayPage').then((m) => ({ default: m.PayPage })));
const CheckoutPage = lazy(() => import('./CheckoutPage').then((m) => ({ default: m.CheckoutPage })));
const PayResultPage = lazy(() => import('./PayResultPage').then((m) => ({ default: m.PayResultPage })));

/**
 * /pay/*: the customer's payment pages — public, no staff session (outside RequireAuth). The server's
 * payment orders name their demo checkout /pay/sandbox/:outTradeNo; /pay/checkout/:outTradeNo is the same page.
 */
export function PayRoutes() {
  return (
    <Suspense fallback={<PageSpinner />}>
      <Routes>
        <Route index element={<PayPage />} />
        <Route path="sandbox/:outTradeNo" element={<CheckoutPage />} />
        <Route path="checkout/:outTradeNo" element={<CheckoutPage />} />
        <Route path="result/:outTradeNo" element={<PayResultPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
