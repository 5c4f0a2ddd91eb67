import { DashboardOutlined, FundOutlined } from '@ant-design/icons';
import type { MenuProps } from 'antd';
import type { TFunction } from 'i18next';
import { Link } from 'react-router-dom';
import { canViewFeeControl } from './roles';

/** The 费控 entries of the side menu: the monitor and the large-customer balances. */
export function feeControlMenu(t: TFunction, role: string | undefined): NonNullable<MenuProps['items']> {
  if (!canViewFeeControl(role)) return [];
  return [
    { key: 'fee-control', icon: <DashboardOutlined />, label: <Link to="/fee-control" data-testid="menu-fee-control">{t('menu.feeControl')}</Link> },
    { key: 'fee-control-large', icon: <FundOutlined />, label: <Link to="/fee-control/large" data-testid="menu-fee-control-large">{t('menu.feeControlLarge')}</Link> },
  ];
}

/** The menu key of a fee-control path, or null. */
export function feeControlMenuKey(pathname: string): string | null {
  if (pathname === '/fee-control/large' || pathname.startsWith('/fee-control/large/')) return 'fee-control-large';
  return pathname === '/fee-control' || pathname.startsWith('/fee-control/') ? 'fee-control' : null;
}
