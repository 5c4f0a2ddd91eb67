import { Result, Button, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useMe } from '../api/queries';
import { describeError } from '../api/errors';

/** Signed-in screens only: without a session the user goes to /login and comes back afterwards. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  const { t } = useTranslation();

  if (me.isPending) {
    return (
      <div style={{ display: 'grid', placeItems: 'center', height: '100vh' }}>
        <Spin size="large" description={t('app.loading')}>
          <div style={{ width: 120, height: 80 }} />
        </Spin>
      </div>
    );
  }
  if (me.isError) {
    return (
      <Result
        status="error"
        title={t('error.title')}
        subTitle={describeError(me.error)}
        extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
