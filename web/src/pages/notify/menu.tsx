import { MessageOutlined } from '@ant-design/icons';
import type { MenuProps } from 'antd';
import type { TFunction } from 'i18next';
import { Link } from 'react-router-dom';
import { canViewNotifications } from './roles';

/** The 通知 entry of the side menu: the outbox, for the roles with notifications.view. */
export function notifyMenu(t: TFunction, role: string | undefined): NonNullable<MenuProps['items']> {
  if (!canViewNotifications(role)) return [];
  return [{ key: 'notifications', icon: <MessageOutlined />, label: <Link to="/notifications" data-testid="menu-notifications">{t('menu.notifications')}</Link> }];
}

/** The menu key of an outbox path, or null. */
export const notifyMenuKey = (pathname: string): string | null => (pathname === '/notifications' || pathname.startsWith('/notifications/') ? 'notifications' : null);
