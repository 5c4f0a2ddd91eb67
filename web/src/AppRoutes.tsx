import { Navigate, Route, Routes } from 'react-router-dom';
import { RequireAuth } from './auth/RequireAuth';
import { AppLayout } from './layout/AppLayout';
import { AccountPage } from './pages/AccountPage';
import { CustomerSearchPage } from './pages/CustomerSearchPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { TariffRoutes } from './pages/tariffs/routes';
import { BillingRoutes } from './pages/billing/routes';
import { ApprovalsPage, BankFilesPage, PaymentRoutes, ReconciliationRoutes } from './pages/payments/routes';
import { PayRoutes } from './pages/pay/routes';
import { FeeControlRoutes } from './pages/feecontrol/routes';
import { NotificationsPage } from './pages/notify/routes';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      {/* the customer's payment pages: public, no session */}
      <Route path="/pay/*" element={<PayRoutes />} />
      <Route element={<RequireAuth />}>
        <Route element={<AppLayout />}>
          <Route index element={<Navigate to="/customers" replace />} />
          <Route path="/customers" element={<CustomerSearchPage />} />
          <Route path="/accounts/:id" element={<AccountPage />} />
          <Route path="/tariffs/*" element={<TariffRoutes />} />
          <Route path="/billing/*" element={<BillingRoutes />} />
          <Route path="/payments/*" element={<PaymentRoutes />} />
          <Route path="/approvals" element={<ApprovalsPage />} />
          <Route path="/reconciliation/*" element={<ReconciliationRoutes />} />
          <Route path="/bank-files" element={<BankFilesPage />} />
          <Route path="/fee-control/*" element={<FeeControlRoutes />} />
          <Route path="/notifications" element={<NotificationsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
