import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import { queryKeys, useMe } from '../api/queries';
import type { LoginResponse } from '../api/types';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { dateTime } from '../format';
import { BRAND, BRAND_DARK } from '../theme';

interface Credentials {
  username: string;
  password: string;
}

/** Only same-site paths: a crafted ?next=//evil.example must not send people away. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/customers';
}

export function LoginPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const next = safeNext(params.get('next'));

  const login = useMutation({
    mutationFn: (body: Credentials) => api<LoginResponse>('/auth/login', { method: 'POST', body }),
    meta: { handlesErrors: true },
    onSuccess: (res) => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, res.user);
      navigate(next, { replace: true });
    },
  });

  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.name')}`;
  }, [t]);

  if (me.data && !login.isPending) return <Navigate to={next} replace />;

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        flexDirection: 'column',
        background: `linear-gradient(135deg, ${BRAND_DARK} 0%, ${BRAND} 55%, #2a9d8f 100%)`,
      }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '16px 24px' }}>
        <Brand size={20} />
        <LanguageSwitch dark />
      </div>
      <div style={{ flex: 1, display: 'grid', placeItems: 'center', padding: 24 }}>
        <Card style={{ width: 380, boxShadow: '0 12px 40px rgba(0,0,0,0.25)' }} styles={{ body: { padding: 32 } }}>
          <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }}>
            {t('login.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>
            {t('app.subtitle')} · {t('login.welcome')}
          </Typography.Paragraph>
          {login.error && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={loginErrorText(login.error, t)} data-testid="login-error" />}
          <Form<Credentials> layout="vertical" requiredMark={false} onFinish={(values) => login.mutate(values)}>
            <Form.Item name="username" label={t('login.username')} rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" data-testid="login-username" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" data-testid="login-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={login.isPending} data-testid="login-submit">
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
      </div>
      <div style={{ textAlign: 'center', color: 'rgba(255,255,255,0.7)', padding: 16, fontSize: 12 }}>{t('login.footer')}</div>
    </div>
  );
}

function loginErrorText(err: unknown, t: (key: string, opts?: Record<string, unknown>) => string): string {
  if (!(err instanceof ApiError)) return t('login.failed', { detail: (err as Error).message });
  switch (err.status) {
    case 401:
      return t('login.wrongPassword');
    case 423: {
      const until = err.problem.lockedUntil;
      return typeof until === 'string' ? t('login.locked', { time: dateTime(until) }) : t('login.lockedNoTime');
    }
    case 429:
      return t('login.rateLimited');
    case 0:
      return t('error.network');
    default:
      return t('login.failed', { detail: err.problem.detail ?? err.message });
  }
}
