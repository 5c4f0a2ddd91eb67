import { AccountBookOutlined } from '@ant-design/icons';
import type { MenuProps } from 'antd';
import type { TFunction } from 'i18next';
import { Link } from 'react-router-dom';
import { canViewBillRuns } from './roles';

/** The 电费发行 entry of the side menu, for the roles that may see bill runs (others find bills on the customer page). */
export function billingMenu(t: TFunction, role: string | undefined): NonNullable<MenuProps['items']> {
  if (!canViewBillRuns(role)) return [];
  return [{ key: 'billing', icon: <AccountBookOutlined />, label: <Link to="/billing" data-testid="menu-billing">{t('menu.billing')}</Link> }];
}

export const isBillingPath = (pathname: string) => pathname === '/billing' || pathname.startsWith('/billing/');
