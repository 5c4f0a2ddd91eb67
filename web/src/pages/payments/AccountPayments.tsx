import { FileTextOutlined, RollbackOutlined, WalletOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Form, Input, Modal, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { dateTime, DASH } from '../../format';
import { fieldProblems } from '../tariffs/api';
import { yuan } from '../tariffs/money';
import { useAccountPayments, useRequestApproval, useStatement, type ApprovalKind, type PaymentSummary, type Statement } from './api';
import { parseYuanInput, yuanPlain } from './money';
import { AmountInput, ChannelTag, kindKey, Yuan } from './parts';
import { canCollect, canRequest, canRequestReversal } from './roles';
import { BalanceFigures, OpenBillsTable } from './StatementView';

/**
 * 缴费与余额 on the customer page: the balance (欠费, 违约金, 预收余额), the open bills, the payments with
 * their receipts, and the requests that need approval one level up (冲正, 退费, 违约金减免).
 */
export function AccountPayments({ accountId, accountNo, accountName }: { accountId: number; accountNo: string; accountName: string }) {
  const { t } = useTranslation();
  const role = useMe().data?.role;
  const statement = useStatement(accountId);
  const payments = useAccountPayments(accountId);
  const items = payments.data?.pages.flatMap((p) => p.items) ?? [];
  const [request, setRequest] = useState<RequestTarget | null>(null);
  const s = statement.data;
  const hidden = statement.error instanceof ApiError && (statement.error.status === 403 || statement.error.status === 404);
  if (hidden) return null;

  return (
    <Card
      size="small"
      title={t('payments.account.title')}
      data-testid="account-payments"
      extra={
        s && (
          <Space wrap size={8}>
            {canCollect(role) && (
              <Link to={`/payments?accountId=${accountId}`}>
                <Button type="primary" size="small" icon={<WalletOutlined />} data-testid="account-collect">
                  {t('payments.account.collect')}
                </Button>
              </Link>
            )}
            {canRequest(role) && (
              <>
                <Tooltip title={s.prepaidFen > 0 ? undefined : t('payments.account.noPrepaid')}>
                  <Button size="small" disabled={s.prepaidFen <= 0} onClick={() => setRequest({ kind: 'prepaid.refund' })} data-testid="request-refund">
                    {t('payments.account.requestRefund')}
                  </Button>
                </Tooltip>
                <Tooltip title={s.penaltyFen > 0 ? undefined : t('payments.account.noPenalty')}>
                  <Button size="small" disabled={s.penaltyFen <= 0} onClick={() => setRequest({ kind: 'penalty.waiver' })} data-testid="request-waiver">
                    {t('payments.account.requestWaiver')}
                  </Button>
                </Tooltip>
              </>
            )}
          </Space>
        )
      }
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {s ? <BalanceFigures statement={s} compact /> : statement.isError ? <Alert type="error" title={describeError(statement.error)} /> : null}
        {s && s.openBills.length > 0 && (
          <div>
            <Typography.Text strong>{t('payments.account.openBills')}</Typography.Text>
            <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
              {t('payments.statement.asOf', { date: s.asOf })}
            </Typography.Text>
            <div style={{ marginTop: 6 }}>
              <OpenBillsTable statement={s} />
            </div>
          </div>
        )}
        <div>
          <Typography.Text strong>{t('payments.account.payments')}</Typography.Text>
          <Table<PaymentSummary>
            style={{ marginTop: 6 }}
            size="small"
            rowKey="id"
            loading={payments.isLoading}
            pagination={false}
            dataSource={items}
            scroll={{ x: 1080 }}
            locale={{ emptyText: t('payments.account.noPayments') }}
            onRow={(p) => ({ 'data-testid': 'payment-row', 'data-payment-id': p.id, 'data-reversed': String(p.reversed) }) as HTMLAttributes<HTMLElement>}
            columns={[
              { title: t('payments.account.paidAt'), dataIndex: 'paidAt', width: 150, render: (v: string) => <span className="num">{dateTime(v)}</span> },
              {
                title: t('payments.receipt.receiptNo'),
                dataIndex: 'receiptNo',
                width: 190,
                render: (v: string, p) => (
                  <Link to={`/payments/receipt/${p.id}`} className="mono" data-testid="payment-receipt-link">
                    <FileTextOutlined /> {v}
                  </Link>
                ),
              },
              { title: t('payments.receipt.channel'), dataIndex: 'channel', width: 100, render: (c: string) => <ChannelTag channel={c} /> },
              { title: t('payments.amount'), dataIndex: 'amountFen', width: 110, align: 'right', render: (f: number) => <Yuan fen={f} strong /> },
              { title: t('payments.principal'), dataIndex: 'principalFen', width: 100, align: 'right', render: (f: number) => <Yuan fen={f} /> },
              { title: t('payments.penalty'), dataIndex: 'penaltyFen', width: 90, align: 'right', render: (f: number) => (f ? <Yuan fen={f} /> : DASH) },
              { title: t('payments.prepaid'), dataIndex: 'prepaidFen', width: 90, align: 'right', render: (f: number) => (f ? <Yuan fen={f} /> : DASH) },
              { title: t('payments.receipt.operator'), dataIndex: 'operatorName', width: 90, render: (v: string | null) => v ?? DASH },
              {
                title: t('payments.account.state'),
                dataIndex: 'reversed',
                width: 80,
                render: (r: boolean) => (r ? <Tag color="red">{t('payments.receipt.reversed')}</Tag> : <Tag color="success">{t('payments.account.posted')}</Tag>),
              },
              ...(canRequestReversal(role)
                ? [
                    {
                      title: '',
                      key: 'reverse',
                      width: 100,
                      render: (_: unknown, p: PaymentSummary) =>
                        p.reversed ? null : (
                          <Button size="small" type="link" danger icon={<RollbackOutlined />} onClick={() => setRequest({ kind: 'payment.reversal', payment: p })} data-testid="request-reversal">
                            {t('payments.account.requestReversal')}
                          </Button>
                        ),
                    },
                  ]
                : []),
            ]}
          />
          {payments.hasNextPage && (
            <div style={{ textAlign: 'center', marginTop: 8 }}>
              <Button onClick={() => void payments.fetchNextPage()} loading={payments.isFetchingNextPage}>
                {t('billing.loadMore')}
              </Button>
            </div>
          )}
        </div>
      </Space>
      {request && s && <RequestModal target={request} accountId={accountId} accountNo={accountNo} accountName={accountName} statement={s} onClose={() => setRequest(null)} />}
    </Card>
  );
}

type RequestTarget = { kind: 'payment.reversal'; payment: PaymentSummary } | { kind: Exclude<ApprovalKind, 'payment.reversal'> };

/** A request for approval one level up: the reason always; the amount (and the bill, for a waiver) where it applies. */
function RequestModal({ target, accountId, accountNo, accountName, statement, onClose }: { target: RequestTarget; accountId: number; accountNo: string; accountName: string; statement: Statement; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const request = useRequestApproval();
  const billsWithPenalty = statement.openBills.filter((b) => b.penaltyFen > 0);
  const [billId, setBillId] = useState<number | undefined>(billsWithPenalty[0]?.billId);
  const bill = billsWithPenalty.find((b) => b.billId === billId);
  const max = target.kind === 'prepaid.refund' ? statement.prepaidFen : target.kind === 'penalty.waiver' ? (bill?.penaltyFen ?? 0) : undefined;
  const [amount, setAmount] = useState(max ? yuanPlain(max) : '');
  const [reason, setReason] = useState('');
  const parsed = parseYuanInput(amount, max === undefined ? {} : { max });
  const needsAmount = target.kind !== 'payment.reversal';
  const ready = reason.trim().length >= 2 && (!needsAmount || parsed.ok) && (target.kind !== 'penalty.waiver' || billId !== undefined);
  const problems = fieldProblems(request.error);

  const submit = () => {
    if (!ready) return;
    const body =
      target.kind === 'payment.reversal'
        ? { kind: target.kind, paymentId: target.payment.id, reason: reason.trim() }
        : target.kind === 'prepaid.refund'
          ? { kind: target.kind, accountId, amountFen: parsed.ok ? parsed.fen : 0, reason: reason.trim() }
          : { kind: target.kind, accountId, billId, amountFen: parsed.ok ? parsed.fen : 0, reason: reason.trim() };
    request.mutate(body, {
      onSuccess: () => {
        void message.success({ content: t('payments.request.sent'), key: 'approval-request' });
        onClose();
      },
    });
  };

  return (
    <Modal
      open
      title={t(`payments.request.title.${kindKey(target.kind)}`)}
      onCancel={onClose}
      onOk={submit}
      okText={t('payments.request.submit')}
      okButtonProps={{ disabled: !ready, loading: request.isPending, 'data-testid': 'request-submit' }}
      destroyOnHidden
      width={520}
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="request-dialog">
        <Typography.Text type="secondary">{t(`payments.request.help.${kindKey(target.kind)}`)}</Typography.Text>
        <Descriptions
          size="small"
          bordered
          column={1}
          items={[
            { key: 'account', label: t('column.accountNo'), children: <span className="mono">{accountNo}</span> },
            { key: 'name', label: t('column.name'), children: accountName },
            ...(target.kind === 'payment.reversal'
              ? [
                  { key: 'receipt', label: t('payments.receipt.receiptNo'), children: <span className="mono">{target.payment.receiptNo}</span> },
                  { key: 'amount', label: t('payments.amount'), children: <b className="num">¥{yuan(target.payment.amountFen)}</b> },
                  { key: 'paidAt', label: t('payments.account.paidAt'), children: dateTime(target.payment.paidAt) },
                ]
              : target.kind === 'prepaid.refund'
                ? [{ key: 'prepaid', label: t('payments.figures.prepaid'), children: <b className="num">¥{yuan(statement.prepaidFen)}</b> }]
                : []),
          ]}
        />
        <Form layout="vertical" requiredMark={false} component={false}>
          {target.kind === 'penalty.waiver' && (
            <Form.Item label={t('payments.request.bill')} style={{ marginBottom: 8 }}>
              <Select
                value={billId}
                onChange={(id) => {
                  setBillId(id);
                  const b = billsWithPenalty.find((x) => x.billId === id);
                  setAmount(b ? yuanPlain(b.penaltyFen) : '');
                }}
                options={billsWithPenalty.map((b) => ({ value: b.billId, label: t('payments.request.billOption', { period: b.period, penalty: yuan(b.penaltyFen) }) }))}
                data-testid="request-bill"
              />
            </Form.Item>
          )}
          {needsAmount && (
            <Form.Item label={t('payments.request.amount', { max: max === undefined ? '' : yuan(max) })} style={{ marginBottom: 0 }}>
              <AmountInput value={amount} onChange={setAmount} max={max} size="middle" testId="request-amount" />
            </Form.Item>
          )}
          <Form.Item label={t('payments.request.reason')} style={{ marginBottom: 0 }}>
            <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={500} showCount placeholder={t('payments.request.reasonPlaceholder')} data-testid="request-reason" />
          </Form.Item>
        </Form>
        {request.isError && (
          <Alert
            type="error"
            showIcon
            title={describeError(request.error)}
            description={problems ? problems.map((p) => `${p.field}: ${p.message}`).join('；') : undefined}
            data-testid="request-error"
          />
        )}
      </Space>
    </Modal>
  );
}
