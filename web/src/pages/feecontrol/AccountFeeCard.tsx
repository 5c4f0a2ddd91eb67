import { EditOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Empty, InputNumber, Modal, Row, Segmented, Skeleton, Space, Table, Tabs, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { dateTime, DASH } from '../../format';
import { yuan } from '../tariffs/money';
import { useAccountFeeControl, useSetWarning, WARN_FEN, type FeePosition, type MeterCommand, type PeriodComparison, type StateChange } from './api';
import { echarts, ReactEChartsCore } from './chart';
import { latencyText } from './model';
import { ActionTag, CommandStateTag, DaysLeft, Money, ProtectionTags, Reason, StateTag } from './parts';
import { canSetWarning } from './roles';

const RANGES = [30, 90, 180] as const;
const COLORS = { prepaid: '#5b8ff9', estimate: '#f6bd16', available: '#00706b' };

/**
 * The customer page's 费控 card (smart prepaid and purchase-before-use): where the account stands (state,
 * available balance, days left, the warning amount — editable by customers.write), the daily balance timeline
 * (prepaid, unbilled estimates, available), estimates vs the issued bill per period, and the switching history.
 */
export default function AccountFeeCard({ accountId }: { accountId: number }) {
  const { t } = useTranslation();
  const [days, setDays] = useState<(typeof RANGES)[number]>(90);
  const q = useAccountFeeControl(accountId, days);
  const data = q.data;
  const role = useMe().data?.role;

  if (q.isPending) return <Card size="small" title={t('feeControl.card')}><Skeleton active /></Card>;
  if (q.isError && !data) return <Card size="small" title={t('feeControl.card')}><Alert type="error" showIcon title={describeError(q.error)} /></Card>;
  if (!data?.prepaid) return null;
  const p = data.position;

  return (
    <Card size="small" title={<Space>{t('feeControl.card')}{p && <StateTag state={p.state} />}</Space>} data-testid="account-fee-control">
      {p ? <PositionView p={p} mayEdit={canSetWarning(role)} accountId={accountId} /> : <Alert type="info" showIcon title={t('feeControl.notRunYet')} style={{ marginBottom: 12 }} />}
      <Row gutter={[16, 16]} style={{ marginTop: 12 }}>
        <Col xs={24} xxl={14}>
          <Card
            size="small"
            type="inner"
            title={t('feeControl.timeline')}
            extra={<Segmented<(typeof RANGES)[number]> size="small" value={days} onChange={setDays} options={RANGES.map((d) => ({ value: d, label: t('feeControl.lastDays', { n: d }) }))} />}
          >
            <Timeline data={data} warnFen={p?.warnFen ?? null} />
          </Card>
        </Col>
        <Col xs={24} xxl={10}>
          <Card size="small" type="inner" title={t('feeControl.estimatesVsBills')}>
            <Periods periods={data.periods} />
          </Card>
        </Col>
      </Row>
      <Tabs
        style={{ marginTop: 8 }}
        items={[
          { key: 'changes', label: t('feeControl.changes'), children: <Changes changes={data.changes} /> },
          { key: 'commands', label: t('feeControl.switching'), children: <Commands commands={data.commands} /> },
        ]}
      />
    </Card>
  );
}

function PositionView({ p, mayEdit, accountId }: { p: FeePosition; mayEdit: boolean; accountId: number }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const items: DescriptionsProps['items'] = [
    { key: 'available', label: t('feeControl.available'), children: <b><Money fen={p.availableFen} testId="fee-available" /></b> },
    { key: 'prepaid', label: t('feeControl.prepaid'), children: <Money fen={p.prepaidFen} /> },
    { key: 'owed', label: t('feeControl.owed'), children: <Money fen={p.owedFen} /> },
    { key: 'estimate', label: t('feeControl.estimate'), children: <Money fen={p.estimateFen} /> },
    { key: 'daily', label: t('feeControl.daily'), children: <Money fen={p.dailyFen} /> },
    { key: 'daysLeft', label: t('feeControl.daysLeft'), children: <DaysLeft days={p.daysLeft} availableFen={p.availableFen} warnDays={p.paymentMode === 'purchase_before_use' ? 10 : 3} /> },
    {
      key: 'warn',
      label: t('feeControl.warnAmount'),
      children: (
        <Space size={4}>
          <span className="num" data-testid="fee-warn">{yuan(p.warnFen)}</span>
          {mayEdit && <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="fee-warn-edit" aria-label={t('feeControl.editWarn')} />}
        </Space>
      ),
    },
    { key: 'since', label: t('feeControl.since'), children: dateTime(p.since) },
    { key: 'runOn', label: t('feeControl.runOn'), children: p.runOn ?? DASH },
    { key: 'belowZeroOn', label: t('feeControl.belowZeroOn'), children: p.belowZeroOn ?? DASH },
    { key: 'protections', label: t('feeControl.protections'), children: <ProtectionTags protections={p.protections} /> },
    ...(p.heldReason ? [{ key: 'held', label: t('feeControl.heldReason'), children: <Reason text={p.heldReason} type="warning" />, span: 'filled' as const }] : []),
    ...(p.openCommand
      ? [{ key: 'open', label: t('feeControl.openCommand'), children: <Space size={4}><ActionTag action={p.openCommand.action} /><CommandStateTag state={p.openCommand.state} /></Space> }]
      : []),
  ];
  return (
    <>
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2, md: 2, lg: 3, xl: 4, xxl: 5 }} items={items} styles={{ label: { whiteSpace: 'nowrap' } }} />
      {editing && <WarningModal accountId={accountId} current={p.warnFen} onClose={() => setEditing(false)} />}
    </>
  );
}

/** 预警金额: the customer's choice, 10–200 元 (RULES §8.3). */
function WarningModal({ accountId, current, onClose }: { accountId: number; current: number; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [yuanValue, setYuanValue] = useState<number | null>(current / 100);
  const save = useSetWarning(accountId);
  const fen = yuanValue === null ? null : Math.round(yuanValue * 100);
  const valid = fen !== null && fen >= WARN_FEN.min && fen <= WARN_FEN.max;
  return (
    <Modal
      open
      title={t('feeControl.editWarn')}
      okButtonProps={{ disabled: !valid, loading: save.isPending, 'data-testid': 'fee-warn-save' }}
      onOk={() => save.mutate(fen!, { onSuccess: () => (void message.success(t('feeControl.warnSaved')), onClose()) })}
      onCancel={onClose}
    >
      <Typography.Paragraph type="secondary">{t('feeControl.warnHelp', { min: WARN_FEN.min / 100, max: WARN_FEN.max / 100 })}</Typography.Paragraph>
      <InputNumber<number>
        min={WARN_FEN.min / 100}
        max={WARN_FEN.max / 100}
        step={10}
        precision={0}
        value={yuanValue}
        onChange={setYuanValue}
        suffix="元"
        style={{ width: 180 }}
        data-testid="fee-warn-input"
      />
      {save.error && <Alert type="error" showIcon title={describeError(save.error)} style={{ marginTop: 12 }} />}
    </Modal>
  );
}

function Timeline({ data, warnFen }: { data: NonNullable<ReturnType<typeof useAccountFeeControl>['data']>; warnFen: number | null }) {
  const { t } = useTranslation();
  const option = useMemo(() => {
    const y = (fen: number) => fen / 100;
    const line = (name: string, values: number[], color: string, extra: object = {}) => ({ name, type: 'line', data: values, showSymbol: false, itemStyle: { color }, lineStyle: { width: 2 }, ...extra });
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, itemWidth: 12, itemHeight: 10 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `¥${v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : '—') },
      xAxis: { type: 'category', data: data.timeline.map((d) => d.day.slice(5)), boundaryGap: false },
      yAxis: { type: 'value', name: '元', splitLine: { lineStyle: { type: 'dashed' } } },
      series: [
        line(t('feeControl.prepaid'), data.timeline.map((d) => y(d.prepaidFen)), COLORS.prepaid, { step: 'end' }),
        line(t('feeControl.estimate'), data.timeline.map((d) => y(d.estimateFen)), COLORS.estimate),
        line(
          t('feeControl.available'),
          data.timeline.map((d) => y(d.availableFen)),
          COLORS.available,
          {
            areaStyle: { color: 'rgba(0,112,107,0.10)' },
            markLine: {
              symbol: 'none',
              silent: true,
              data: [
                { yAxis: 0, lineStyle: { color: '#cf1322', type: 'solid' }, label: { formatter: '0' } },
                ...(warnFen !== null ? [{ yAxis: warnFen / 100, lineStyle: { color: '#d48806' }, label: { formatter: t('feeControl.warnLine') } }] : []),
              ],
            },
          },
        ),
      ],
    };
  }, [data, t, warnFen]);
  if (data.timeline.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <div data-testid="fee-timeline">
      <ReactEChartsCore echarts={echarts} option={option} notMerge style={{ height: 280 }} />
    </div>
  );
}

function Periods({ periods }: { periods: PeriodComparison[] }) {
  const { t } = useTranslation();
  const columns: ColumnsType<PeriodComparison> = [
    { title: t('feeControl.period'), dataIndex: 'period', render: (v: string) => <span className="mono">{v}</span> },
    {
      title: t('feeControl.estimateCol'),
      key: 'estimate',
      align: 'right',
      render: (_, r) => (
        <Space orientation="vertical" size={0} style={{ alignItems: 'flex-end' }}>
          <Money fen={r.estimateFen} />
          {r.estimatedThrough && <Typography.Text type="secondary" style={{ fontSize: 11 }}>{t('feeControl.through', { day: r.estimatedThrough.slice(5), kwh: r.estimateKwh ?? DASH })}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: t('feeControl.billCol'),
      key: 'bill',
      align: 'right',
      render: (_, r) => (
        <Space orientation="vertical" size={0} style={{ alignItems: 'flex-end' }}>
          <Money fen={r.billFen} />
          {r.issuedOn && <Typography.Text type="secondary" style={{ fontSize: 11 }}>{t('feeControl.issued', { day: r.issuedOn, kwh: r.billKwh ?? DASH })}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('feeControl.trueUp'), dataIndex: 'differenceFen', align: 'right', render: (v: number | null) => (v === null ? DASH : <span className="num">{yuan(v, { sign: true })}</span>) },
  ];
  return (
    <Table<PeriodComparison>
      size="small"
      rowKey="period"
      pagination={false}
      dataSource={periods}
      columns={columns}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noEstimates')} /> }}
      onRow={() => ({ 'data-testid': 'fee-period-row' }) as HTMLAttributes<HTMLElement>}
    />
  );
}

function Changes({ changes }: { changes: StateChange[] }) {
  const { t } = useTranslation();
  const columns: ColumnsType<StateChange> = [
    { title: t('feeControl.at'), dataIndex: 'at', render: (v: string) => dateTime(v) },
    { title: t('feeControl.change'), key: 'change', render: (_, c) => <Space size={2}><StateTag state={c.from} />→<StateTag state={c.to} /></Space> },
    { title: t('feeControl.reason'), dataIndex: 'reason', responsive: ['md'], render: (v: string) => <Reason text={v} /> },
  ];
  return <Table<StateChange> size="small" rowKey="id" pagination={{ pageSize: 10, hideOnSinglePage: true }} dataSource={changes} columns={columns} locale={{ emptyText: t('feeControl.noChanges') }} />;
}

function Commands({ commands }: { commands: MeterCommand[] }) {
  const { t } = useTranslation();
  const columns: ColumnsType<MeterCommand> = [
    { title: t('feeControl.stagedAt'), dataIndex: 'stagedAt', render: (v: string) => dateTime(v) },
    { title: t('feeControl.command'), dataIndex: 'action', render: (v: MeterCommand['action']) => <ActionTag action={v} /> },
    { title: t('feeControl.commandStateTitle'), dataIndex: 'state', render: (v: string) => <CommandStateTag state={v} /> },
    { title: t('feeControl.latency'), dataIndex: 'latencyMs', align: 'right', render: (v: number | null) => <span className="num">{latencyText(v)}</span> },
    { title: t('feeControl.attempts'), dataIndex: 'attempts', align: 'right', responsive: ['md'] },
    { title: t('feeControl.cause'), dataIndex: 'cause', responsive: ['lg'] },
    { title: t('feeControl.lastError'), dataIndex: 'lastError', responsive: ['lg'], render: (v: string | null) => v ?? DASH },
  ];
  return <Table<MeterCommand> size="small" rowKey="id" pagination={{ pageSize: 10, hideOnSinglePage: true }} dataSource={commands} columns={columns} locale={{ emptyText: t('feeControl.noCommands') }} scroll={{ x: 560 }} />;
}

