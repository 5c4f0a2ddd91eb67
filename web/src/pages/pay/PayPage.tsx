import { CheckCircleFilled, LockOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { label } from '../../format';
import { yuan } from '../tariffs/money';
import { parseYuanInput, yuanPlain } from '../payments/money';
import { AmountInput } from '../payments/parts';
import { lastAccountNo, ONLINE_CHANNELS, saveLookup, savedLookup, useCreateOrder, useLookup, type Lookup, type OnlineChannel } from './api';
import { CHANNEL_LOOK, PayShell } from './parts';

/**
 * /pay — the customer's own payment page (public, phone first): find the account by its number and the
 * account holder's full name, see arrears, penalty, prepaid balance and open bills, pick a channel and an
 * amount (应缴合计 by default), and go to the channel's checkout (in the demo: the sandbox checkout).
 */
export function PayPage() {
  const { t } = useTranslation();
  const [lookup, setLookup] = useState<Lookup | null>(savedLookup);

  useEffect(() => {
    document.title = `${t('pay.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <PayShell>
      {lookup ? (
        <PayForm
          lookup={lookup}
          onReset={() => {
            saveLookup(null);
            setLookup(null);
          }}
        />
      ) : (
        <LookupForm onFound={setLookup} />
      )}
    </PayShell>
  );
}

function LookupForm({ onFound }: { onFound: (l: Lookup) => void }) {
  const { t } = useTranslation();
  const lookup = useLookup();
  const error = lookup.error;
  const errorText =
    error instanceof ApiError && error.status === 404
      ? t('pay.lookup.notFound')
      : error instanceof ApiError && error.status === 429
        ? t('pay.lookup.rateLimited')
        : error
          ? describeError(error)
          : null;

  return (
    <Card variant="borderless" style={{ borderRadius: 10 }} styles={{ body: { padding: 20 } }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('pay.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t('pay.lookup.intro')}
      </Typography.Paragraph>
      <Form<{ accountNo: string; name: string }>
        layout="vertical"
        requiredMark={false}
        initialValues={{ accountNo: lastAccountNo() ?? '' }}
        onFinish={(v) => lookup.mutate({ accountNo: v.accountNo.trim(), name: v.name.trim() }, { onSuccess: onFound })}
      >
        <Form.Item name="accountNo" label={t('pay.lookup.accountNo')} rules={[{ required: true, whitespace: true, message: t('pay.lookup.accountNoRequired') }]} extra={t('pay.lookup.accountNoHelp')}>
          <Input size="large" inputMode="numeric" autoComplete="off" maxLength={32} prefix={<SearchOutlined />} data-testid="pay-account-no" />
        </Form.Item>
        <Form.Item name="name" label={t('pay.lookup.name')} rules={[{ required: true, whitespace: true, message: t('pay.lookup.nameRequired') }]} extra={t('pay.lookup.nameHelp')}>
          <Input size="large" autoComplete="name" maxLength={100} prefix={<LockOutlined />} data-testid="pay-name" />
        </Form.Item>
        {errorText && <Alert type="error" showIcon title={errorText} style={{ marginBottom: 16 }} data-testid="pay-lookup-error" />}
        <Button type="primary" htmlType="submit" size="large" block loading={lookup.isPending} data-testid="pay-lookup">
          {t('pay.lookup.submit')}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 16, marginBottom: 0 }}>
        <SafetyCertificateOutlined /> {t('pay.lookup.privacy')}
      </Typography.Paragraph>
    </Card>
  );
}

function PayForm({ lookup, onReset }: { lookup: Lookup; onReset: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const offered = ONLINE_CHANNELS.filter((c) => lookup.channels.includes(c));
  const [channel, setChannel] = useState<OnlineChannel | null>(offered[0] ?? null);
  const [amount, setAmount] = useState(lookup.toPayFen > 0 ? yuanPlain(lookup.toPayFen) : '');
  const parsed = parseYuanInput(amount);
  const create = useCreateOrder();
  const expired = create.error instanceof ApiError && create.error.status === 401;

  const pay = () => {
    if (!channel || !parsed.ok) return;
    create.mutate(
      { accountId: lookup.accountId, amountFen: parsed.fen, channel },
      { onSuccess: (order) => navigate(order.checkoutUrl ?? `/pay/result/${order.outTradeNo}`) },
    );
  };

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Card variant="borderless" style={{ borderRadius: 10 }} styles={{ body: { padding: 16 } }} data-testid="pay-account">
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', gap: 8 }}>
          <div>
            <div style={{ fontSize: 16, fontWeight: 600 }} data-testid="pay-masked-name">
              {lookup.maskedName}
            </div>
            <div className="mono" style={{ color: '#57606a' }} data-testid="pay-account-no-shown">
              {t('pay.accountNo')} {lookup.accountNo}
            </div>
          </div>
          <Button type="link" size="small" onClick={onReset} data-testid="pay-reset">
            {t('pay.otherAccount')}
          </Button>
        </div>
        <div style={{ textAlign: 'center', margin: '16px 0 12px' }}>
          <div style={{ color: '#57606a', fontSize: 13 }}>{t('pay.toPay')}</div>
          <div className="pay-figure" style={{ color: lookup.toPayFen > 0 ? '#cf1322' : '#389e0d' }} data-testid="pay-to-pay">
            ¥{yuan(lookup.toPayFen)}
          </div>
        </div>
        <div className="pay-figures">
          <div>
            <div className="label">{t('payments.figures.arrears')}</div>
            <div className="value" data-testid="pay-arrears">{yuan(lookup.arrearsFen)}</div>
          </div>
          <div>
            <div className="label">{t('payments.figures.penalty')}</div>
            <div className="value" data-testid="pay-penalty">{yuan(lookup.penaltyFen)}</div>
          </div>
          <div>
            <div className="label">{t('payments.figures.prepaid')}</div>
            <div className="value" data-testid="pay-prepaid">{yuan(lookup.prepaidFen)}</div>
          </div>
        </div>
      </Card>

      <Card variant="borderless" size="small" title={t('pay.openBills')} style={{ borderRadius: 10 }}>
        {lookup.openBills.length === 0 ? (
          <Typography.Text type="secondary">{t('pay.noOpenBills')}</Typography.Text>
        ) : (
          lookup.openBills.map((b) => (
            <div className="pay-bill" key={b.billId} data-testid="pay-bill" data-bill-id={b.billId}>
              <div>
                <div className="num" style={{ fontWeight: 600 }}>
                  {t('pay.billOf', { period: b.period })}
                </div>
                <div style={{ fontSize: 12, color: '#57606a' }}>{t('pay.dueOn', { date: b.dueOn })}</div>
              </div>
              <div style={{ textAlign: 'right' }}>
                <div className="num" style={{ fontWeight: 600 }}>
                  ¥{yuan(b.principalOpenFen + b.penaltyFen)}
                </div>
                {b.penaltyFen > 0 && <div style={{ fontSize: 12, color: '#d46b08' }}>{t('pay.inclPenalty', { amount: yuan(b.penaltyFen) })}</div>}
              </div>
            </div>
          ))
        )}
      </Card>

      <Card variant="borderless" size="small" title={t('pay.channelTitle')} style={{ borderRadius: 10 }}>
        <div className="pay-channels" role="radiogroup" aria-label={t('pay.channelTitle')}>
          {ONLINE_CHANNELS.map((c) => (
            <button
              key={c}
              type="button"
              role="radio"
              className="pay-channel"
              aria-checked={channel === c}
              disabled={!offered.includes(c)}
              onClick={() => setChannel(c)}
              data-testid={`pay-channel-${c}`}
            >
              <span className="icon" style={{ background: CHANNEL_LOOK[c]!.color }}>
                {CHANNEL_LOOK[c]!.icon}
              </span>
              <span>{label(t, 'payments.channel', c)}</span>
              {channel === c && <CheckCircleFilled className="check" />}
            </button>
          ))}
        </div>
        {offered.length === 0 && <Alert type="warning" showIcon title={t('pay.noChannels')} style={{ marginTop: 8 }} />}
      </Card>

      <Card variant="borderless" size="small" title={t('pay.amountTitle')} style={{ borderRadius: 10 }}>
        <AmountInput value={amount} onChange={(v) => (setAmount(v), create.reset())} testId="pay-amount" />
        {lookup.toPayFen <= 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('pay.prepayHint')}</Typography.Text>}
        {lookup.toPayFen > 0 && parsed.ok && parsed.fen !== lookup.toPayFen && (
          <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setAmount(yuanPlain(lookup.toPayFen))}>
            {t('pay.useToPay', { amount: yuan(lookup.toPayFen) })}
          </Button>
        )}
      </Card>

      {create.isError && (
        <Alert
          type="error"
          showIcon
          title={expired ? t('pay.tokenExpired') : describeError(create.error)}
          action={expired ? <Button size="small" onClick={onReset}>{t('pay.lookupAgain')}</Button> : undefined}
          data-testid="pay-order-error"
        />
      )}
      <Button type="primary" size="large" block disabled={!channel || !parsed.ok} loading={create.isPending} onClick={pay} style={{ height: 48, fontSize: 17 }} data-testid="pay-submit">
        {parsed.ok ? t('pay.submitAmount', { amount: yuan(parsed.fen) }) : t('pay.submit')}
      </Button>
    </Space>
  );
}
