import { CheckCircleFilled, ClockCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Result, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { dateTime, label } from '../../format';
import { yuan } from '../tariffs/money';
import { yuanInCapitals } from '../payments/money';
import { markLookupStale, useOrder, type OrderReceipt } from './api';
import { PayRow, PayShell } from './parts';

/** How long the page waits for the channel's notification before saying it is still waiting. */
const PATIENCE_MS = 60_000;

/**
 * /pay/result/:outTradeNo — the order, polled until the channel's notification has made it paid; then the
 * payment as a receipt (电子收据): amount in figures and 大写, where it went, the channel's transaction no.
 */
export function PayResultPage() {
  const { t } = useTranslation();
  const outTradeNo = useParams().outTradeNo ?? '';
  const order = useOrder(outTradeNo, true);
  const o = order.data;
  const [waitedLong, setWaitedLong] = useState(false);

  useEffect(() => {
    document.title = `${t('pay.result.title')} · ${t('app.name')}`;
  }, [t]);
  useEffect(() => {
    const timer = setTimeout(() => setWaitedLong(true), PATIENCE_MS);
    return () => clearTimeout(timer);
  }, []);
  // the balances the payment page showed are out of date now
  useEffect(() => {
    if (o?.status === 'paid') markLookupStale();
  }, [o?.status]);

  let body;
  if (order.error) {
    const gone = order.error instanceof ApiError && (order.error.status === 404 || order.error.status === 401);
    body = <Result status={gone ? '404' : 'error'} title={gone ? t('pay.checkout.notFound') : t('error.title')} subTitle={gone ? t('pay.checkout.notFoundHelp') : describeError(order.error)} />;
  } else if (!o) {
    body = <Spin size="large" style={{ display: 'block', padding: 48 }} />;
  } else if (o.status === 'paid' && o.receipt) {
    body = <PaidReceipt receipt={o.receipt} outTradeNo={o.outTradeNo} />;
  } else if (o.status === 'open') {
    body = (
      <Result
        icon={<Spin size="large" />}
        title={t('pay.result.waiting')}
        subTitle={t('pay.result.waitingHelp', { channel: label(t, 'payments.channel', o.channel), amount: yuan(o.amountFen) })}
        extra={
          <>
            {waitedLong && <Alert type="info" showIcon title={t('pay.result.stillWaiting')} style={{ marginBottom: 12, textAlign: 'left' }} />}
            {o.checkoutUrl && (
              <Link to={o.checkoutUrl}>
                <Button>{t('pay.result.backToCheckout')}</Button>
              </Link>
            )}
          </>
        }
        data-testid="pay-waiting"
      />
    );
  } else {
    body = (
      <Result
        status="warning"
        icon={<ClockCircleOutlined />}
        title={t(`pay.orderStatus.${o.status}`)}
        subTitle={t('pay.result.notPaid')}
        extra={
          <Link to="/pay">
            <Button type="primary">{t('pay.backToPay')}</Button>
          </Link>
        }
        data-testid="pay-not-paid"
      />
    );
  }

  return <PayShell>{body}</PayShell>;
}

function PaidReceipt({ receipt: r, outTradeNo }: { receipt: OrderReceipt; outTradeNo: string }) {
  const { t } = useTranslation();
  return (
    <Card variant="borderless" style={{ borderRadius: 10 }} styles={{ body: { padding: 16 } }} data-testid="pay-success">
      <div style={{ textAlign: 'center', padding: '8px 0 16px' }}>
        <CheckCircleFilled style={{ fontSize: 48, color: '#389e0d' }} />
        <Typography.Title level={4} style={{ margin: '8px 0 0' }}>
          {t('pay.result.paid')}
        </Typography.Title>
        <div className="pay-figure" data-testid="pay-success-amount">
          ¥{yuan(r.amountFen)}
        </div>
        <div style={{ color: '#57606a', fontSize: 13 }} data-testid="pay-success-words">
          {t('payments.receipt.rmb')}
          {yuanInCapitals(r.amountFen)}
        </div>
      </div>
      <Typography.Text strong>{t('pay.result.receipt')}</Typography.Text>
      <div style={{ marginTop: 4 }}>
        <PayRow label={t('pay.accountNo')} testId="pay-success-account">
          <span className="mono">{r.accountNo}</span>
        </PayRow>
        <PayRow label={t('pay.result.name')}>{r.maskedName}</PayRow>
        <PayRow label={t('payments.receipt.channel')}>{label(t, 'payments.channel', r.channel)}</PayRow>
        <PayRow label={t('payments.receipt.paidAt')}>{dateTime(r.paidAt)}</PayRow>
        <PayRow label={t('pay.checkout.orderNo')}>
          <span className="mono">{outTradeNo}</span>
        </PayRow>
        <PayRow label={t('payments.receipt.txnId')}>
          <span className="mono">{r.channelTxnId}</span>
        </PayRow>
        <PayRow label={t('pay.result.toPenalty')}>¥{yuan(r.penaltyFen)}</PayRow>
        <PayRow label={t('pay.result.toPrincipal')} testId="pay-success-principal">
          ¥{yuan(r.principalFen)}
        </PayRow>
        <PayRow label={t('pay.result.toPrepaid')}>¥{yuan(r.prepaidFen)}</PayRow>
      </div>
      {r.reversed && <Alert type="warning" showIcon title={t('payments.receipt.reversed')} style={{ marginTop: 8 }} />}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12 }}>
        {t('pay.result.keep')}
      </Typography.Paragraph>
      <Link to="/pay">
        <Button block size="large" data-testid="pay-again">
          {t('pay.result.again')}
        </Button>
      </Link>
    </Card>
  );
}
