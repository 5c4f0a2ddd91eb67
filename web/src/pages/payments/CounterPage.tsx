import { CloseOutlined, SearchOutlined, WalletOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Descriptions, Empty, Input, Modal, Result, Row, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useAccount, useAccountSearch, useMe } from '../../api/queries';
import type { AccountSummary } from '../../api/types';
import { DASH, label, STATUS_COLORS } from '../../format';
import { yuan } from '../tariffs/money';
import { useCollect, useStatement, type Statement } from './api';
import { newIdempotencyKey, parseYuanInput, yuanInCapitals, yuanPlain } from './money';
import { AmountInput, Yuan } from './parts';
import { canCollect } from './roles';
import { previewAllocation } from './statement';
import { BalanceFigures, OpenBillsTable } from './StatementView';

const TYPING_DELAY_MS = 350;

/**
 * 收费 (坐收): find the account, see what it owes (open bills oldest first, penalty to today, prepaid
 * balance, 应缴合计), take an amount in 元, confirm, and print the receipt. The account is in the URL
 * (/payments?accountId=…), so a reload or the back button keeps it.
 */
export function CounterPage() {
  const { t } = useTranslation();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const accountId = Number(params.get('accountId')) || null;

  useEffect(() => {
    document.title = `${t('payments.counter.title')} · ${t('app.name')}`;
  }, [t]);

  if (!canCollect(me.data?.role)) {
    return <Result status="403" title={t('payments.counter.forbiddenTitle')} subTitle={t('payments.counter.forbidden')} data-testid="counter-forbidden" />;
  }

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <AccountFinder
        selected={accountId}
        onPick={(id) => setParams(id ? { accountId: String(id) } : {})}
      />
      {accountId && <CounterAccount key={accountId} accountId={accountId} onClose={() => setParams({})} />}
    </Space>
  );
}

/** The customer search, narrowed to one box: 户号, 户名, 表号 or 电话. */
function AccountFinder({ selected, onPick }: { selected: number | null; onPick: (id: number | null) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(typing.current ?? undefined), []);
  const filters = useMemo(() => ({ q }), [q]);
  const search = useAccountSearch(filters, q !== '');
  const rows = search.data?.pages.flatMap((p) => p.items) ?? [];
  const submit = (value: string) => {
    clearTimeout(typing.current ?? undefined);
    setQ(value.trim());
  };

  return (
    <Card title={t('payments.counter.title')} variant="borderless" size="small" extra={<Typography.Text type="secondary">{t('payments.counter.help')}</Typography.Text>}>
      <Space.Compact style={{ width: '100%', maxWidth: 480 }}>
        <Input
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            clearTimeout(typing.current ?? undefined);
            const value = e.target.value;
            typing.current = setTimeout(() => submit(value), TYPING_DELAY_MS);
          }}
          onPressEnter={() => submit(text)}
          placeholder={t('search.placeholder')}
          prefix={<SearchOutlined style={{ color: '#8c959f' }} />}
          allowClear
          autoFocus={!selected}
          size="large"
          aria-label={t('search.placeholder')}
          data-testid="counter-search"
        />
        <Button type="primary" size="large" onClick={() => submit(text)} loading={search.isFetching} data-testid="counter-search-submit">
          {t('search.button')}
        </Button>
      </Space.Compact>
      {q !== '' && (
        <Table<AccountSummary>
          style={{ marginTop: 12 }}
          className="clickable-rows"
          size="small"
          rowKey="id"
          dataSource={rows}
          loading={search.isPending}
          pagination={false}
          scroll={{ x: 760, y: 260 }}
          rowClassName={(r) => (r.id === selected ? 'ant-table-row-selected' : '')}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('search.empty')} /> }}
          onRow={(r) => ({ 'data-testid': 'counter-account-row', onClick: () => onPick(r.id) }) as HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('column.accountNo'), dataIndex: 'accountNo', width: 130, render: (v: string) => <span className="mono">{v}</span> },
            {
              title: t('column.name'),
              dataIndex: 'name',
              width: 180,
              ellipsis: true,
              render: (v: string, r) => (
                <>
                  {r.status !== 'active' && (
                    <Tag color={STATUS_COLORS[r.status] ?? 'default'} style={{ marginInlineEnd: 4 }}>
                      {label(t, 'status', r.status)}
                    </Tag>
                  )}
                  {v}
                </>
              ),
            },
            { title: t('column.area'), dataIndex: 'areaName', width: 140, ellipsis: true },
            { title: t('column.meterNo'), dataIndex: 'meterNo', width: 160, render: (v: string | null) => <span className="mono">{v ?? DASH}</span> },
            { title: t('column.phone'), dataIndex: 'phone', width: 120, render: (v: string | null) => <span className="mono">{v ?? DASH}</span> },
            {
              title: '',
              key: 'pick',
              width: 90,
              render: (_: unknown, r) => (
                <Button size="small" type={r.id === selected ? 'primary' : 'default'} onClick={(e) => (e.stopPropagation(), onPick(r.id))}>
                  {t('payments.counter.pick')}
                </Button>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

/** One account at the counter: who, what is owed, and the payment form. */
function CounterAccount({ accountId, onClose }: { accountId: number; onClose: () => void }) {
  const { t } = useTranslation();
  const account = useAccount(accountId, false);
  const statement = useStatement(accountId);
  const a = account.data;

  if (account.error instanceof ApiError && account.error.status === 404) {
    return <Alert type="warning" showIcon title={t('account.notFound')} action={<Button onClick={onClose}>{t('payments.counter.clear')}</Button>} />;
  }
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={15}>
        <Card
          size="small"
          title={
            a ? (
              <Space wrap>
                <Link to={`/accounts/${a.id}`} className="mono" data-testid="counter-account-no">
                  {a.accountNo}
                </Link>
                <span data-testid="counter-account-name">{a.name}</span>
                {a.status !== 'active' && <Tag color={STATUS_COLORS[a.status] ?? 'default'}>{label(t, 'status', a.status)}</Tag>}
              </Space>
            ) : (
              t('app.loading')
            )
          }
          extra={<Button type="text" icon={<CloseOutlined />} onClick={onClose} aria-label={t('payments.counter.clear')} />}
        >
          {a && (
            <Descriptions
              size="small"
              column={{ xs: 1, sm: 2, md: 3 }}
              style={{ marginBottom: 12 }}
              items={[
                { key: 'area', label: t('column.area'), children: a.areaName },
                { key: 'category', label: t('column.category'), children: label(t, 'category', a.category) },
                { key: 'paymentMode', label: t('column.paymentMode'), children: label(t, 'paymentMode', a.paymentMode) },
                { key: 'address', label: t('account.field.address'), children: a.address ?? DASH, span: 'filled' },
              ]}
            />
          )}
          {statement.data ? (
            <Space orientation="vertical" size={12} style={{ width: '100%' }}>
              <BalanceFigures statement={statement.data} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('payments.statement.asOf', { date: statement.data.asOf })}
              </Typography.Text>
              <OpenBillsTable statement={statement.data} />
            </Space>
          ) : statement.isError ? (
            <Alert type="error" title={describeError(statement.error)} />
          ) : (
            <Skeleton active />
          )}
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        {statement.data && a ? <PaymentForm accountId={accountId} accountNo={a.accountNo} accountName={a.name} statement={statement.data} /> : <Card size="small"><Skeleton active /></Card>}
      </Col>
    </Row>
  );
}

interface Attempt {
  accountId: number;
  amountFen: number;
  key: string;
}

/**
 * The amount and the confirmation. Each submission gets an Idempotency-Key; sending the same account and
 * amount again after a failure (a lost answer, a timeout) reuses it, so the server answers the first
 * result instead of taking the money twice. A changed amount is a new submission with a new key.
 */
function PaymentForm({ accountId, accountNo, accountName, statement }: { accountId: number; accountNo: string; accountName: string; statement: Statement }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [text, setText] = useState(statement.toPayFen > 0 ? yuanPlain(statement.toPayFen) : '');
  const [confirming, setConfirming] = useState(false);
  const attempt = useRef<Attempt | null>(null);
  const collect = useCollect();
  const parsed = parseYuanInput(text);
  const amountFen = parsed.ok ? parsed.fen : null;
  const preview = useMemo(() => (amountFen ? previewAllocation(statement.openBills, amountFen) : []), [amountFen, statement.openBills]);
  // the outcome of a failed submission is unknown when the answer was lost (network, 5xx, still in progress)
  const unknownOutcome = collect.error instanceof ApiError && (collect.error.status === 0 || collect.error.status >= 500 || collect.error.status === 409);

  const submit = () => {
    if (!amountFen) return;
    const previous = attempt.current;
    const key = previous && previous.accountId === accountId && previous.amountFen === amountFen ? previous.key : newIdempotencyKey();
    attempt.current = { accountId, amountFen, key };
    collect.mutate(
      { accountId, amountFen, key },
      {
        onSuccess: (p) => {
          attempt.current = null;
          setConfirming(false);
          navigate(`/payments/receipt/${p.id}`, { state: { justPaid: true } });
        },
        onError: (err) => {
          // refused outright (validation, scope): the next try is a new submission
          if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 409) attempt.current = null;
        },
      },
    );
  };

  return (
    <Card size="small" title={t('payments.counter.formTitle')} data-testid="payment-form">
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        <Typography.Text>{t('payments.counter.amountLabel')}</Typography.Text>
        <AmountInput
          value={text}
          onChange={(v) => {
            setText(v);
            collect.reset();
          }}
          autoFocus
          onPressEnter={() => amountFen && setConfirming(true)}
        />
        <Space wrap>
          <Button size="small" disabled={statement.toPayFen <= 0} onClick={() => (setText(yuanPlain(statement.toPayFen)), collect.reset())} data-testid="fill-to-pay">
            {t('payments.counter.fillToPay', { amount: yuan(statement.toPayFen) })}
          </Button>
        </Space>
        {amountFen !== null && amountFen > statement.toPayFen && (
          <Alert type="info" showIcon title={t('payments.counter.overpay', { amount: yuan(amountFen - statement.toPayFen) })} />
        )}
        <Button type="primary" size="large" block icon={<WalletOutlined />} disabled={!amountFen} onClick={() => setConfirming(true)} data-testid="collect-submit">
          {t('payments.counter.submit')}
        </Button>
      </Space>

      <Modal
        open={confirming}
        title={t('payments.counter.confirmTitle')}
        onCancel={() => !collect.isPending && setConfirming(false)}
        okText={collect.isError && unknownOutcome ? t('payments.counter.retry') : t('payments.counter.confirm')}
        onOk={submit}
        okButtonProps={{ loading: collect.isPending, disabled: !amountFen, 'data-testid': 'collect-confirm' }}
        cancelButtonProps={{ disabled: collect.isPending }}
        maskClosable={false}
        destroyOnHidden
        width={560}
      >
        {amountFen && (
          <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="collect-confirm-dialog">
            <Descriptions
              size="small"
              bordered
              column={1}
              items={[
                { key: 'account', label: t('column.accountNo'), children: <span className="mono">{accountNo}</span> },
                { key: 'name', label: t('column.name'), children: accountName },
                { key: 'amount', label: t('payments.receipt.amountFigures'), children: <b className="num" style={{ fontSize: 18 }}>¥{yuan(amountFen)}</b> },
                { key: 'words', label: t('payments.receipt.amountWords'), children: <b data-testid="confirm-words">{yuanInCapitals(amountFen)}</b> },
              ]}
            />
            <div>
              <Typography.Text type="secondary">{t('payments.counter.previewTitle')}</Typography.Text>
              <Table
                size="small"
                rowKey={(l) => String(l.billId ?? 'prepaid')}
                pagination={false}
                dataSource={preview}
                columns={[
                  { title: t('payments.receipt.item'), key: 'what', render: (_: unknown, l) => (l.period ? t('payments.receipt.billOf', { period: l.period }) : t('payments.receipt.toPrepaid')) },
                  { title: t('payments.penalty'), dataIndex: 'penaltyFen', align: 'right', render: (f: number) => (f ? <Yuan fen={f} /> : DASH) },
                  { title: t('payments.principal'), dataIndex: 'principalFen', align: 'right', render: (f: number) => (f ? <Yuan fen={f} /> : DASH) },
                  { title: t('payments.prepaid'), dataIndex: 'prepaidFen', align: 'right', render: (f: number) => (f ? <Yuan fen={f} /> : DASH) },
                ]}
              />
            </div>
            {collect.isError && (
              <Alert
                type={unknownOutcome ? 'warning' : 'error'}
                showIcon
                title={unknownOutcome ? t('payments.counter.unknownOutcome') : t('payments.counter.refused')}
                description={describeError(collect.error)}
                data-testid="collect-error"
              />
            )}
          </Space>
        )}
      </Modal>
    </Card>
  );
}
