import { AuditOutlined, BankOutlined, ReconciliationOutlined, WalletOutlined } from '@ant-design/icons';
import type { MenuProps } from 'antd';
import type { TFunction } from 'i18next';
import { Link } from 'react-router-dom';
import { canCollect, canSeeApprovals, canViewBankFiles, canViewReconciliation } from './roles';

/**
 * The collection entries of the side menu, per role: 收费 (cashiers, station heads, admin), 审批 (those who
 * request or decide), 对账 and 代扣文件 (company level). Everyone finds balances and payments on the customer page.
 */
export function collectionMenu(t: TFunction, role: string | undefined): NonNullable<MenuProps['items']> {
  const items: NonNullable<MenuProps['items']> = [];
  if (canCollect(role)) items.push({ key: 'payments', icon: <WalletOutlined />, label: <Link to="/payments" data-testid="menu-payments">{t('menu.payments')}</Link> });
  if (canSeeApprovals(role)) items.push({ key: 'approvals', icon: <AuditOutlined />, label: <Link to="/approvals" data-testid="menu-approvals">{t('menu.approvals')}</Link> });
  if (canViewReconciliation(role))
    items.push({ key: 'reconciliation', icon: <ReconciliationOutlined />, label: <Link to="/reconciliation" data-testid="menu-reconciliation">{t('menu.reconciliation')}</Link> });
  if (canViewBankFiles(role)) items.push({ key: 'bank-files', icon: <BankOutlined />, label: <Link to="/bank-files" data-testid="menu-bank-files">{t('menu.bankFiles')}</Link> });
  return items;
}

/** The menu key of a collection path, or null. */
export function collectionMenuKey(pathname: string): string | null {
  const first = pathname.split('/')[1] ?? '';
  return ['payments', 'approvals', 'reconciliation', 'bank-files'].includes(first) ? first : null;
}
