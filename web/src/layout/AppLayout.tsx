import { LogoutOutlined, SearchOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Avatar, Button, Divider, Layout, Menu, Space, Typography } from 'antd';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import { queryKeys, useMe, useOrgTree } from '../api/queries';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PageSpinner } from '../components/PageSpinner';
import { localName } from '../format';
import { tariffMenu, tariffMenuKey } from '../pages/tariffs/menu';
import { billingMenu, isBillingPath } from '../pages/billing/menu';
import { collectionMenu, collectionMenuKey } from '../pages/payments/menu';
import { notifyMenu, notifyMenuKey } from '../pages/notify/menu';
import { feeControlMenu, feeControlMenuKey } from '../pages/feecontrol/menu';
import { ScopeTree } from './ScopeTree';

const { Header, Sider, Content } = Layout;

/** The frame of every signed-in screen: header (company, user, language, sign-out), menu + scope tree, page. */
export function AppLayout() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const tree = useOrgTree(Boolean(me.data));
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const logout = useMutation({
    mutationFn: () => api<void>('/auth/logout', { method: 'POST' }),
    // Signing out always ends the session here, even if the server already forgot it.
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, null);
      void message.success({ content: t('header.loggedOut'), key: 'logout' });
      navigate('/login', { replace: true });
    },
    meta: { handlesErrors: true },
  });

  const user = me.data;
  if (!user) return null;

  const selectedMenu =
    location.pathname.startsWith('/customers') || location.pathname.startsWith('/accounts')
      ? ['customers']
      : isBillingPath(location.pathname)
        ? ['billing']
        : [collectionMenuKey(location.pathname) ?? feeControlMenuKey(location.pathname) ?? notifyMenuKey(location.pathname) ?? tariffMenuKey(location.pathname) ?? ''];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header style={{ display: 'flex', alignItems: 'center', gap: 16, position: 'sticky', top: 0, zIndex: 10 }}>
        <Link to="/customers" style={{ display: 'flex' }}>
          <Brand />
        </Link>
        <Divider orientation="vertical" style={{ borderColor: 'rgba(255,255,255,0.3)', height: 20 }} />
        <Typography.Text style={{ color: 'rgba(255,255,255,0.92)', fontSize: 15 }} ellipsis data-testid="company-name">
          {tree.data ? localName(tree.data.company) : ''}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <LanguageSwitch dark />
        <Space size={10} style={{ color: '#fff' }} data-testid="current-user">
          <Avatar size="small" icon={<UserOutlined />} style={{ background: '#ffd54a', color: '#004d4a' }} />
          <span style={{ display: 'flex', flexDirection: 'column', lineHeight: 1.25 }}>
            <span style={{ fontWeight: 600 }}>{user.displayName}</span>
            <span style={{ fontSize: 12, color: 'rgba(255,255,255,0.75)' }}>
              {t(`role.${user.role}`, { defaultValue: user.role })} · {i18n.language.startsWith('en') && user.orgUnitNameEn ? user.orgUnitNameEn : user.orgUnitName}
            </span>
          </span>
        </Space>
        <Button
          type="text"
          icon={<LogoutOutlined />}
          style={{ color: '#fff' }}
          loading={logout.isPending}
          onClick={() => logout.mutate()}
          data-testid="logout"
        >
          {t('header.logout')}
        </Button>
      </Header>
      <Layout>
        <Sider
          width={256}
          breakpoint="lg"
          collapsedWidth={0}
          style={{ borderRight: '1px solid #e8eaec', overflow: 'auto', height: 'calc(100vh - 52px)', position: 'sticky', top: 52 }}
        >
          <Menu
            mode="inline"
            selectedKeys={selectedMenu}
            defaultOpenKeys={['tariffs']}
            style={{ borderInlineEnd: 'none' }}
            items={[
              { key: 'customers', icon: <SearchOutlined />, label: <Link to="/customers">{t('menu.customers')}</Link> },
              ...collectionMenu(t, user.role),
              ...feeControlMenu(t, user.role),
              ...notifyMenu(t, user.role),
              tariffMenu(t),
              ...billingMenu(t, user.role),
            ]}
          />
          <Divider style={{ margin: '4px 0' }} />
          <ScopeTree />
        </Sider>
        <Content style={{ padding: 16, minWidth: 0 }}>
          <Suspense fallback={<PageSpinner />}>
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}
