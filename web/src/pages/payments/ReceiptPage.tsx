import { ArrowLeftOutlined, PrinterOutlined, UserOutlined, WalletOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Result, Skeleton, Space } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useAccount, useMe, useOrgTree } from '../../api/queries';
import { localName } from '../../format';
import { usePayment, useStatement } from './api';
import { Receipt } from './Receipt';
import { canCollect } from './roles';

/** /payments/receipt/:id — a payment's receipt (收费凭证), to show, print or reopen later. */
export function ReceiptPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const location = useLocation();
  const justPaid = (location.state as { justPaid?: boolean } | null)?.justPaid === true;
  const payment = usePayment(id);
  const p = payment.data;
  const account = useAccount(p?.accountId ?? 0, false);
  // what remains owed after the payment: the account's statement now (right after paying, that is after this payment)
  const statement = useStatement(p?.accountId ?? null);
  const tree = useOrgTree();
  const me = useMe();
  const station = tree.data?.stations.find((s) => s.id === account.data?.stationId);

  useEffect(() => {
    document.title = p ? `${t('payments.receipt.title')} ${p.receiptNo} · ${t('app.name')}` : t('app.name');
  }, [p, t]);

  if (!Number.isInteger(id) || id <= 0 || (payment.error instanceof ApiError && payment.error.status === 404)) {
    return <Result status="404" title={t('error.NOT_FOUND')} subTitle={t('payments.receipt.notFound')} data-testid="receipt-not-found" />;
  }
  if (payment.isError) return <Result status="error" title={t('error.title')} subTitle={describeError(payment.error)} extra={<Button onClick={() => void payment.refetch()}>{t('common.retry')}</Button>} />;
  if (!p) return <Card><Skeleton active paragraph={{ rows: 8 }} /></Card>;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <div className="no-print" style={{ maxWidth: 820, margin: '0 auto', width: '100%' }}>
        {justPaid && <Alert type="success" showIcon title={t('payments.counter.done')} style={{ marginBottom: 12 }} data-testid="payment-done" />}
        <Space wrap>
          <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid="receipt-print">
            {t('payments.receipt.print')}
          </Button>
          <Link to={`/accounts/${p.accountId}`}>
            <Button icon={<UserOutlined />} data-testid="receipt-open-account">
              {t('payments.receipt.openAccount')}
            </Button>
          </Link>
          {canCollect(me.data?.role) && (
            <Link to="/payments">
              <Button icon={<WalletOutlined />}>{t('payments.receipt.nextPayment')}</Button>
            </Link>
          )}
          {!justPaid && (
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => window.history.back()}>
              {t('account.back')}
            </Button>
          )}
        </Space>
      </div>
      <Receipt
        data={p}
        company={tree.data ? localName(tree.data.company) : ''}
        station={station ? localName(station) : (account.data?.stationName ?? null)}
        owed={statement.data ?? null}
      />
    </Space>
  );
}
