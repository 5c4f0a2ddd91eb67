import { ExperimentOutlined, LeftOutlined } from '@ant-design/icons';
import { Alert, Button, Result, Skeleton, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { dateTime, label } from '../../format';
import { yuan } from '../tariffs/money';
import { useSandboxOrder, useSandboxPay } from './api';
import { CHANNEL_LOOK, PayRow } from './parts';
import './pay.css';

/**
 * /pay/sandbox/:outTradeNo (also /pay/checkout/:outTradeNo) — demo only: a checkout that looks like the
 * channel's own, with a clear 沙箱 banner. 确认支付 asks the server to sign the channel's notification with
 * the demo keys and deliver it to its own notify route; the order becomes paid exactly as a real one would.
 */
export function CheckoutPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const outTradeNo = useParams().outTradeNo ?? '';
  const view = useSandboxOrder(outTradeNo);
  const pay = useSandboxPay();
  const order = view.data?.order;
  const look = CHANNEL_LOOK[order?.channel ?? 'gridapp']!;

  useEffect(() => {
    document.title = `${t('pay.checkout.title')} · ${t('app.name')}`;
  }, [t]);

  if (view.error) {
    const gone = view.error instanceof ApiError && (view.error.status === 404 || view.error.status === 401);
    return (
      <div className="checkout">
        <Result
          status={gone ? '404' : 'error'}
          title={gone ? t('pay.checkout.notFound') : t('error.title')}
          subTitle={gone ? t('pay.checkout.notFoundHelp') : describeError(view.error)}
          extra={
            <Link to="/pay">
              <Button type="primary">{t('pay.backToPay')}</Button>
            </Link>
          }
        />
      </div>
    );
  }

  return (
    <div className="checkout" data-testid="sandbox-checkout" data-channel={order?.channel}>
      <div className="checkout-head" style={{ background: look.color, position: 'relative' }}>
        <Link to="/pay" style={{ position: 'absolute', left: 12, color: '#fff' }} aria-label={t('pay.backToPay')}>
          <LeftOutlined />
        </Link>
        <span style={{ marginRight: 6 }}>{look.icon}</span>
        {order ? t('pay.checkout.cashier', { channel: label(t, 'payments.channel', order.channel) }) : t('pay.checkout.title')}
      </div>
      <Alert type="warning" banner icon={<ExperimentOutlined />} title={<b>{t('pay.checkout.sandbox')}</b>} description={t('pay.checkout.sandboxHelp')} data-testid="sandbox-banner" />
      <div className="checkout-body">
        {!order || !view.data ? (
          <Skeleton active paragraph={{ rows: 4 }} />
        ) : (
          <>
            <div className="checkout-amount">
              <div className="merchant" data-testid="sandbox-merchant">
                {view.data.merchant}
              </div>
              <div style={{ color: '#57606a', fontSize: 13, marginTop: 4 }}>{t('pay.checkout.what')}</div>
              <div className="amount" data-testid="sandbox-amount">
                ¥{yuan(order.amountFen)}
              </div>
            </div>
            <div style={{ background: '#fff', borderRadius: 8, padding: '8px 16px', marginTop: 12 }}>
              <PayRow label={t('pay.checkout.orderNo')} testId="sandbox-order-no">
                <span className="mono">{order.outTradeNo}</span>
              </PayRow>
              <PayRow label={t('pay.checkout.createdAt')}>{dateTime(order.createdAt)}</PayRow>
              <PayRow label={t('pay.checkout.expiresAt')}>{dateTime(order.expiresAt)}</PayRow>
            </div>
            {pay.isError && <Alert type="error" showIcon style={{ marginTop: 12 }} title={describeError(pay.error)} data-testid="sandbox-error" />}
            {order.status === 'open' ? (
              <Button
                type="primary"
                block
                size="large"
                className="checkout-pay"
                style={{ marginTop: 16, background: look.color, borderColor: look.color }}
                loading={pay.isPending}
                onClick={() => pay.mutate(order.outTradeNo, { onSuccess: () => navigate(`/pay/result/${order.outTradeNo}`, { replace: true }) })}
                data-testid="sandbox-pay"
              >
                {t('pay.checkout.confirm')}
              </Button>
            ) : (
              <Alert
                style={{ marginTop: 16 }}
                type={order.status === 'paid' ? 'success' : 'warning'}
                showIcon
                title={t(`pay.orderStatus.${order.status}`)}
                action={
                  <Link to={order.status === 'paid' ? `/pay/result/${order.outTradeNo}` : '/pay'}>
                    <Button size="small">{order.status === 'paid' ? t('pay.checkout.seeResult') : t('pay.backToPay')}</Button>
                  </Link>
                }
              />
            )}
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, textAlign: 'center', marginTop: 16 }}>
              {t('pay.checkout.note')}
            </Typography.Paragraph>
          </>
        )}
      </div>
    </div>
  );
}
