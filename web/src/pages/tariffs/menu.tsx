import { CalculatorOutlined, FundOutlined, ProfileOutlined, TableOutlined, ThunderboltOutlined } from '@ant-design/icons';
import type { MenuProps } from 'antd';
import type { TFunction } from 'i18next';
import { Link } from 'react-router-dom';

/** The 电价 menu group of the side menu. */
export function tariffMenu(t: TFunction): NonNullable<MenuProps['items']>[number] {
  return {
    key: 'tariffs',
    icon: <ThunderboltOutlined />,
    label: t('menu.tariffs'),
    children: [
      { key: 'tariffs/catalogue', icon: <ProfileOutlined />, label: <Link to="/tariffs">{t('menu.tariffCatalogue')}</Link> },
      { key: 'tariffs/quote', icon: <CalculatorOutlined />, label: <Link to="/tariffs/quote">{t('menu.quote')}</Link> },
      { key: 'tariffs/agent-prices', icon: <TableOutlined />, label: <Link to="/tariffs/agent-prices">{t('menu.agentPrices')}</Link> },
      { key: 'tariffs/impact', icon: <FundOutlined />, label: <Link to="/tariffs/impact">{t('menu.impact')}</Link> },
    ],
  };
}

/** The menu key of a /tariffs path. */
export function tariffMenuKey(pathname: string): string | null {
  if (!pathname.startsWith('/tariffs')) return null;
  const page = pathname.split('/')[2];
  return page ? `tariffs/${page}` : 'tariffs/catalogue';
}
