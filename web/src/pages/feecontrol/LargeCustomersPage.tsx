import { Alert, Card, Col, Empty, Grid, List, Result, Row, Segmented, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { dateTime, label, PAYMENT_MODE_COLORS } from '../../format';
import { useFeeAccounts, type FeePosition } from './api';
import { byUrgency, withEvent } from './model';
import { DaysLeft, LiveBadge, Money, Reason, StateTag } from './parts';
import { canViewFeeControl } from './roles';
import { useAccountEvents, useThrottled } from './stream';

const MODES = ['all', 'purchase_before_use', 'smart_prepaid'] as const;
type Mode = (typeof MODES)[number];
/** How long a row stays highlighted after its balance moved. */
const FLASH_MS = 4000;

/**
 * 大客户余额: purchase-before-use customers (district heating and other high-risk users, RULES §8.5) and large
 * (non-residential) smart-prepaid ones — available balance and days left, fewest days first. It follows the
 * event stream: a payment or any money move updates the customer's balance at once (the event carries the
 * prepaid balance after it), a fee-control state change refreshes the list.
 */
export default function LargeCustomersPage() {
  const { t } = useTranslation();
  const role = useMe().data?.role;
  const allowed = canViewFeeControl(role);
  const [mode, setMode] = useState<Mode>('all');
  const q = useFeeAccounts({ large: true, ...(mode === 'all' ? {} : { mode }) }, { enabled: allowed, pageSize: 500, refetchMs: 60_000 });
  const fetched = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const [rows, setRows] = useState<FeePosition[]>([]);
  const [flash, setFlash] = useState<Map<number, number>>(new Map());
  const [lastEvent, setLastEvent] = useState<string | null>(null);
  const known = useRef(new Set<number>());
  const wide = Grid.useBreakpoint().md ?? true;

  useEffect(() => {
    setRows(fetched);
    known.current = new Set(fetched.map((r) => r.accountId));
  }, [fetched]);
  useEffect(() => {
    document.title = `${t('feeControl.largeTitle')} · ${t('app.name')}`;
  }, [t]);
  useEffect(() => {
    if (flash.size === 0) return;
    const timer = setTimeout(() => setFlash((m) => new Map([...m].filter(([, at]) => Date.now() - at < FLASH_MS))), FLASH_MS);
    return () => clearTimeout(timer);
  }, [flash]);

  const refetch = useThrottled(() => void q.refetch(), 1500);
  const stream = useAccountEvents((e) => {
    if (!known.current.has(e.accountId)) return;
    setLastEvent(e.at);
    if (e.kind.startsWith('fee_control.')) return refetch();
    setRows((current) => withEvent(current, e));
    setFlash((m) => new Map(m).set(e.accountId, Date.now()));
  }, allowed);

  const sorted = useMemo(() => [...rows].sort(byUrgency), [rows]);
  const figures = useMemo(
    () => ({
      total: rows.length,
      belowZero: rows.filter((r) => r.availableFen < 0).length,
      within10: rows.filter((r) => r.availableFen >= 0 && r.daysLeft !== null && r.daysLeft <= 10).length,
      disconnected: rows.filter((r) => r.state === 'disconnected').length,
    }),
    [rows],
  );

  if (!allowed || (q.error instanceof ApiError && q.error.status === 403)) return <Result status="403" title={t('feeControl.forbidden')} />;

  const flashStyle = (id: number) => (flash.has(id) ? { background: '#e6fffb', transition: 'background 0.5s' } : { transition: 'background 1.5s' });

  return (
    <Card
      variant="borderless"
      title={
        <Space size={8} wrap>
          {t('feeControl.largeTitle')}
          <LiveBadge state={stream} />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('feeControl.largeHelp')}
        {lastEvent && ` ${t('feeControl.lastEvent', { at: dateTime(lastEvent) })}`}
      </Typography.Paragraph>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} sm={6}>
          <Statistic title={t('feeControl.figure.customers')} value={figures.total} />
        </Col>
        <Col xs={12} sm={6}>
          <Statistic title={t('feeControl.figure.within10')} value={figures.within10} styles={{ content: { color: figures.within10 > 0 ? '#d48806' : undefined } }} />
        </Col>
        <Col xs={12} sm={6}>
          <Statistic title={t('feeControl.figure.belowZero')} value={figures.belowZero} styles={{ content: { color: figures.belowZero > 0 ? '#cf1322' : undefined } }} />
        </Col>
        <Col xs={12} sm={6}>
          <Statistic title={t('feeControl.figure.disconnected')} value={figures.disconnected} />
        </Col>
      </Row>
      <Segmented<Mode>
        value={mode}
        onChange={setMode}
        options={MODES.map((m) => ({ value: m, label: m === 'all' ? t('feeControl.all') : label(t, 'paymentMode', m) }))}
        style={{ marginBottom: 12 }}
      />
      {q.error && <Alert type="error" showIcon title={describeError(q.error)} style={{ marginBottom: 12 }} />}
      {wide ? (
        <Table<FeePosition>
          size="small"
          rowKey="accountId"
          loading={q.isLoading}
          pagination={{ pageSize: 100, hideOnSinglePage: true, showSizeChanger: false }}
          dataSource={sorted}
          columns={columns(t)}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noLarge')} /> }}
          onRow={(r) => ({ 'data-testid': 'large-row', 'data-account': r.accountId, style: flashStyle(r.accountId) }) as HTMLAttributes<HTMLElement>}
          scroll={{ x: 1000 }}
        />
      ) : (
        <List<FeePosition>
          loading={q.isLoading}
          dataSource={sorted}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noLarge')} /> }}
          renderItem={(r) => (
            <List.Item key={r.accountId} style={{ ...flashStyle(r.accountId), padding: '10px 4px' }} data-testid="large-row" data-account={r.accountId}>
              <div style={{ width: '100%' }}>
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                  <Link to={`/accounts/${r.accountId}`} style={{ fontWeight: 600 }}>
                    {r.name}
                  </Link>
                  <StateTag state={r.state} />
                </div>
                <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 4, fontSize: 13 }}>
                  <span>
                    {t('feeControl.available')} <Money fen={r.availableFen} />
                  </span>
                  <DaysLeft days={r.daysLeft} availableFen={r.availableFen} />
                </div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  <span className="mono">{r.accountNo}</span> · {r.stationName} · {t('feeControl.daily')} <Money fen={r.dailyFen} />
                </Typography.Text>
              </div>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function columns(t: ReturnType<typeof useTranslation>['t']): ColumnsType<FeePosition> {
  return [
    {
      title: t('feeControl.account'),
      key: 'account',
      width: 260,
      render: (_, r) => (
        <Link to={`/accounts/${r.accountId}`}>
          <span className="mono">{r.accountNo}</span> {r.name}
        </Link>
      ),
    },
    { title: t('feeControl.mode'), dataIndex: 'paymentMode', render: (v: string) => <Tag color={PAYMENT_MODE_COLORS[v]}>{label(t, 'paymentMode', v)}</Tag> },
    { title: t('feeControl.stationName'), dataIndex: 'stationName', responsive: ['lg'] },
    { title: t('feeControl.stateTitle'), dataIndex: 'state', render: (v: FeePosition['state']) => <StateTag state={v} /> },
    { title: t('feeControl.daysLeft'), dataIndex: 'daysLeft', align: 'right', render: (v: number | null, r) => <DaysLeft days={v} availableFen={r.availableFen} /> },
    { title: t('feeControl.available'), dataIndex: 'availableFen', align: 'right', render: (v: number) => <Money fen={v} testId="large-available" /> },
    { title: t('feeControl.prepaid'), dataIndex: 'prepaidFen', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('feeControl.owed'), dataIndex: 'owedFen', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('feeControl.estimate'), dataIndex: 'estimateFen', align: 'right', responsive: ['xl'], render: (v: number) => <Money fen={v} /> },
    { title: t('feeControl.daily'), dataIndex: 'dailyFen', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('feeControl.heldReason'), dataIndex: 'heldReason', responsive: ['xl'], ellipsis: true, render: (v: string | null) => (v ? <Reason text={v} type="warning" /> : '') },
  ];
}
