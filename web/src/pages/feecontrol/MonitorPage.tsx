import { CheckOutlined, CloseOutlined, DeleteOutlined, PlayCircleOutlined, PlusOutlined, RedoOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Col, DatePicker, Empty, Grid, Input, Modal, Result, Row, Segmented, Select, Space, Statistic, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useMe, useOrgTree } from '../../api/queries';
import { dateTime, DASH, label, localName } from '../../format';
import {
  FEE_STATES,
  feeKeys,
  useAddBlackoutDay,
  useBlackoutDays,
  useCancelCommand,
  useCommands,
  useDecideApproval,
  useDisconnectApprovals,
  useDryRun,
  useFeeAccounts,
  useFeeSummary,
  useRemoveBlackoutDay,
  useRequestApproval,
  useRetryCommand,
  useRunToday,
  type BlackoutDay,
  type CommandState,
  type DisconnectApproval,
  type DisconnectApprovalStatus,
  type DryRunItem,
  type FeeControlSummary,
  type FeePosition,
  type MeterCommand,
} from './api';
import { echarts, ReactEChartsCore } from './chart';
import { chartUnits, latencyText, STATE_HEX, stateSeries, unitTree, type UnitRow } from './model';
import { ActionTag, CommandStateTag, LiveBadge, Money, ProtectionTags, Reason, StateTag } from './parts';
import { canApproveDisconnection, canManageFeeControl, canViewFeeControl } from './roles';
import { useAccountEvents, useThrottled } from './stream';

const TABS = ['pending', 'dryRun', 'commands', 'approvals', 'calendar'] as const;
type TabKey = (typeof TABS)[number];

/**
 * 费控监控 (RULES §7–8): accounts per state per org unit (table and bars), today's warnings, pending
 * disconnections with the guards that hold them, tomorrow's dry run, the command queue with latencies, the
 * disconnection approvals and the blackout calendar. It follows the event stream: a state change anywhere in
 * the scope refreshes the figures within seconds. "立即执行" runs today's fee control (feecontrol.manage).
 */
export default function MonitorPage() {
  const { t } = useTranslation();
  const role = useMe().data?.role;
  const allowed = canViewFeeControl(role);
  const [params, setParams] = useSearchParams();
  const tab: TabKey = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as TabKey) : 'pending';
  const summary = useFeeSummary(allowed);
  const qc = useQueryClient();
  const refresh = useThrottled(() => void qc.invalidateQueries({ queryKey: feeKeys.all }), 2000);
  const stream = useAccountEvents((e) => {
    if (e.kind.startsWith('fee_control.')) refresh();
  }, allowed);

  useEffect(() => {
    document.title = `${t('feeControl.title')} · ${t('app.name')}`;
  }, [t]);

  if (!allowed || (summary.error instanceof ApiError && summary.error.status === 403)) return <Result status="403" title={t('feeControl.forbidden')} />;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        variant="borderless"
        title={
          <Space size={8} wrap>
            {t('feeControl.title')}
            <LiveBadge state={stream} />
          </Space>
        }
        extra={canManageFeeControl(role) && <RunTodayButton />}
      >
        {summary.error && <Alert type="error" showIcon title={describeError(summary.error)} style={{ marginBottom: 12 }} />}
        <Figures summary={summary.data} loading={summary.isLoading} />
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <UnitsCard summary={summary.data} loading={summary.isLoading} />
        </Col>
        <Col xs={24} xl={10}>
          <ChartCard summary={summary.data} />
        </Col>
      </Row>

      <Card variant="borderless" styles={{ body: { paddingTop: 0 } }}>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams(k === 'pending' ? {} : { tab: k }, { replace: true })}
          items={[
            { key: 'pending', label: <span data-testid="fee-tab-pending">{t('feeControl.tab.pending')}</span>, children: <PendingTab /> },
            { key: 'dryRun', label: <span data-testid="fee-tab-dry-run">{t('feeControl.tab.dryRun')}</span>, children: tab === 'dryRun' && <DryRunTab role={role} /> },
            {
              key: 'commands',
              label: (
                <span data-testid="fee-tab-commands">
                  {t('feeControl.tab.commands')} <Badge count={summary.data?.commands.escalated ?? 0} size="small" />
                </span>
              ),
              children: tab === 'commands' && <CommandsTab role={role} />,
            },
            { key: 'approvals', label: <span data-testid="fee-tab-approvals">{t('feeControl.tab.approvals')}</span>, children: tab === 'approvals' && <ApprovalsTab /> },
            { key: 'calendar', label: <span data-testid="fee-tab-calendar">{t('feeControl.tab.calendar')}</span>, children: tab === 'calendar' && <CalendarTab role={role} /> },
          ]}
        />
      </Card>
    </Space>
  );
}

function RunTodayButton() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const run = useRunToday();
  const confirm = () =>
    modal.confirm({
      title: t('feeControl.run.confirmTitle'),
      content: t('feeControl.run.confirm'),
      okText: t('feeControl.run.button'),
      onOk: () =>
        run.mutateAsync().then(
          (r) => void message.success({ content: t('feeControl.run.done', { ...r }), duration: 6 }),
          (err: unknown) => void message.error(describeError(err)),
        ),
    });
  return (
    <Button type="primary" icon={<PlayCircleOutlined />} loading={run.isPending} onClick={confirm} data-testid="fee-run-today">
      {t('feeControl.run.button')}
    </Button>
  );
}

function Figures({ summary, loading }: { summary: FeeControlSummary | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const total = summary ? FEE_STATES.reduce((s, st) => s + summary.byState[st], 0) : 0;
  const figure = (key: string, title: string, value: string | number, extra?: { color?: string; help?: string }) => (
    <Col xs={12} sm={8} lg={6} xxl={3} key={key}>
      <Statistic
        loading={loading}
        title={extra?.help ? <Tooltip title={extra.help}>{title}</Tooltip> : title}
        value={value}
        formatter={() => (
          <span className="num" style={{ color: extra?.color, whiteSpace: 'nowrap' }} data-testid={`fee-figure-${key}`}>
            {value}
          </span>
        )}
      />
    </Col>
  );
  const run = summary?.lastRun;
  return (
    <>
      <Row gutter={[16, 16]}>
        {figure('accounts', t('feeControl.figure.accounts'), total)}
        {figure('warnings', t('feeControl.figure.warningsToday'), summary?.warningsToday ?? 0, { color: '#d48806' })}
        {figure('pending', t('feeControl.figure.pending'), summary?.pendingDisconnections ?? 0, { color: '#d4380d' })}
        {figure('held', t('feeControl.figure.held'), summary?.held ?? 0, { help: t('feeControl.figure.heldHelp') })}
        {figure('disconnected', t('feeControl.figure.disconnected'), summary?.byState.disconnected ?? 0, { color: '#cf1322' })}
        {figure('escalated', t('feeControl.figure.escalated'), summary?.commands.escalated ?? 0, { color: (summary?.commands.escalated ?? 0) > 0 ? '#cf1322' : undefined })}
        {figure('p50', t('feeControl.figure.p50'), latencyText(summary?.latencyMs.p50 ?? null), { help: t('feeControl.figure.latencyHelp', { n: summary?.latencyMs.count ?? 0 }) })}
        {figure('p99', t('feeControl.figure.p95p99'), `${latencyText(summary?.latencyMs.p95 ?? null)} / ${latencyText(summary?.latencyMs.p99 ?? null)}`)}
      </Row>
      <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0', fontSize: 12 }} data-testid="fee-last-run">
        {run
          ? t('feeControl.lastRun', {
              day: run.businessDate,
              status: label(t, 'feeControl.runStatus', run.status),
              accounts: run.accounts,
              at: dateTime(run.finishedAt ?? run.startedAt),
            })
          : t('feeControl.noRun')}
        {run?.error && <Typography.Text type="danger"> · {run.error}</Typography.Text>}
      </Typography.Paragraph>
    </>
  );
}

/** Units in the UI language: the org tree has the company's and stations' English names. */
function useLocalUnits(summary: FeeControlSummary | undefined) {
  const tree = useOrgTree().data;
  return useMemo(() => {
    const names = new Map<string, string>();
    if (tree) {
      names.set(`company:${tree.company.id}`, localName(tree.company));
      for (const st of tree.stations) names.set(`station:${st.id}`, localName(st));
    }
    return (summary?.units ?? []).map((u) => ({ ...u, name: names.get(`${u.kind}:${u.id}`) ?? u.name }));
  }, [summary, tree]);
}

function UnitsCard({ summary, loading }: { summary: FeeControlSummary | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const units = useLocalUnits(summary);
  const rows = useMemo(() => unitTree(units), [units]);
  const columns: ColumnsType<UnitRow> = [
    { title: t('feeControl.unit'), dataIndex: 'name', onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (v: string, r) => <span style={{ fontWeight: r.kind === 'area' ? undefined : 600 }}>{v}</span> },
    ...FEE_STATES.map((s) => ({
      title: label(t, 'feeControl.state', s),
      key: s,
      align: 'right' as const,
      render: (_: unknown, r: UnitRow) => <span className="num" style={{ color: r.counts[s] > 0 && s !== 'normal' ? STATE_HEX[s] : undefined }}>{r.counts[s]}</span>,
    })),
    { title: t('feeControl.total'), dataIndex: 'total', align: 'right', render: (v: number) => <b className="num">{v}</b> },
  ];
  return (
    <Card size="small" title={t('feeControl.byUnit')} style={{ height: '100%' }}>
      <Table<UnitRow>
        // the top level opened once the units are there (default keys only apply to the first rows rendered)
        key={rows.length === 0 ? 'empty' : 'loaded'}
        size="small"
        rowKey="key"
        loading={loading}
        pagination={false}
        dataSource={rows}
        columns={columns}
        expandable={{ defaultExpandedRowKeys: rows.map((r) => r.key) }}
        scroll={{ x: 640 }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noAccounts')} /> }}
        data-testid="fee-units"
      />
    </Card>
  );
}

function ChartCard({ summary }: { summary: FeeControlSummary | undefined }) {
  const { t } = useTranslation();
  const local = useLocalUnits(summary);
  const units = useMemo(() => chartUnits(local), [local]);
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, itemWidth: 12, itemHeight: 10 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { type: 'dashed' } } },
      yAxis: { type: 'category', data: units.map((u) => u.name), inverse: true },
      series: stateSeries(units).map((s) => ({
        name: label(t, 'feeControl.state', s.state),
        type: 'bar',
        stack: 'accounts',
        data: s.data,
        barMaxWidth: 22,
        itemStyle: { color: STATE_HEX[s.state] },
        emphasis: { focus: 'series' },
      })),
    }),
    [units, t],
  );
  return (
    <Card size="small" title={t('feeControl.chart')} style={{ height: '100%' }}>
      {units.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noAccounts')} />
      ) : (
        <div data-testid="fee-chart">
          <ReactEChartsCore echarts={echarts} option={option} notMerge style={{ height: Math.max(220, 60 + units.length * 34) }} />
        </div>
      )}
    </Card>
  );
}

function AccountLink({ id, no, name }: { id: number; no: string; name: string }) {
  return (
    <Link to={`/accounts/${id}`}>
      <span className="mono">{no}</span> {name}
    </Link>
  );
}

function More({ q }: { q: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  const { t } = useTranslation();
  if (!q.hasNextPage) return null;
  return (
    <div style={{ textAlign: 'center', marginTop: 8 }}>
      <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage} data-testid="load-more">
        {t('billing.loadMore')}
      </Button>
    </div>
  );
}

/** 待停电: accounts below zero, with what holds their disconnection (grace period, calendar, protection …). */
function PendingTab() {
  const { t } = useTranslation();
  const q = useFeeAccounts({ state: 'pending' });
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const columns: ColumnsType<FeePosition> = [
    { title: t('feeControl.account'), key: 'account', width: 220, render: (_, r) => <AccountLink id={r.accountId} no={r.accountNo} name={r.name} /> },
    { title: t('feeControl.station'), key: 'unit', responsive: ['md'], render: (_, r) => `${r.stationName} · ${r.areaName}` },
    { title: t('feeControl.available'), dataIndex: 'availableFen', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('feeControl.belowZeroOn'), dataIndex: 'belowZeroOn', responsive: ['lg'], render: (v: string | null) => v ?? DASH },
    {
      title: t('feeControl.guard'),
      dataIndex: 'heldReason',
      render: (v: string | null, r) =>
        r.openCommand ? (
          <Space size={4}>
            <ActionTag action={r.openCommand.action} />
            <CommandStateTag state={r.openCommand.state} />
          </Space>
        ) : (
          <Reason text={v} type="warning" />
        ),
    },
    { title: t('feeControl.protections'), dataIndex: 'protections', responsive: ['md'], render: (v: FeePosition['protections']) => <ProtectionTags protections={v} /> },
  ];
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('feeControl.pendingHelp')}
      </Typography.Paragraph>
      {q.error && <Alert type="error" showIcon title={describeError(q.error)} style={{ marginBottom: 12 }} />}
      <Table<FeePosition>
        size="small"
        rowKey="accountId"
        loading={q.isLoading}
        pagination={false}
        dataSource={items}
        columns={columns}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noPending')} /> }}
        onRow={() => ({ 'data-testid': 'pending-row' }) as HTMLAttributes<HTMLElement>}
        scroll={{ x: 640 }}
      />
      <More q={q} />
    </>
  );
}

const VERDICT_COLORS: Record<DryRunItem['verdict'], string> = { disconnect: 'red', held: 'gold', in_progress: 'processing' };

/** 停电预演: who would be disconnected on a day (default tomorrow), and for everyone else exactly why not. */
function DryRunTab({ role }: { role: string | undefined }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [date, setDate] = useState<Dayjs | null>(null);
  const [hour, setHour] = useState<number | undefined>(undefined);
  const [selected, setSelected] = useState<number[]>([]);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const run = useDryRun(date?.format('YYYY-MM-DD'), hour);
  const request = useRequestApproval();
  const manage = canManageFeeControl(role);
  const data = run.data;
  const columns: ColumnsType<DryRunItem> = [
    {
      title: t('feeControl.verdict'),
      dataIndex: 'verdict',
      render: (v: DryRunItem['verdict'], r) => (
        <Space size={2}>
          <Tag color={VERDICT_COLORS[v]} data-testid="dry-run-verdict" data-verdict={v}>
            {label(t, 'feeControl.verdictValue', v)}
          </Tag>
          {r.bulk && <Tag color="purple">{t('feeControl.bulk')}</Tag>}
          {r.approved && <Tag color="green">{t('feeControl.approved')}</Tag>}
        </Space>
      ),
    },
    { title: t('feeControl.account'), key: 'account', width: 220, render: (_, r) => <AccountLink id={r.accountId} no={r.accountNo} name={r.name} /> },
    { title: t('feeControl.station'), key: 'unit', responsive: ['lg'], render: (_, r) => `${r.stationName} · ${r.areaName}` },
    { title: t('feeControl.stateTitle'), dataIndex: 'state', responsive: ['md'], render: (v: DryRunItem['state']) => <StateTag state={v} /> },
    { title: t('feeControl.projected'), dataIndex: 'projectedFen', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('feeControl.belowZeroOn'), dataIndex: 'belowZeroOn', responsive: ['md'] },
    { title: t('feeControl.whyNot'), dataIndex: 'reason', render: (v: string | null) => <Reason text={v} type="warning" /> },
    { title: t('feeControl.protections'), dataIndex: 'protections', responsive: ['lg'], render: (v: DryRunItem['protections']) => <ProtectionTags protections={v} /> },
  ];
  // what a request may name: held ones that need approval (protected) or would go as part of a bulk
  const askable = (r: DryRunItem) => !r.approved && r.verdict !== 'in_progress' && (r.bulk || r.protections.some((p) => p !== 'heating_company') || (r.reason ?? '').includes('approval'));
  const submit = () =>
    request.mutate(
      { accountIds: selected, reason: reason.trim(), bulk: data?.items.some((i) => selected.includes(i.accountId) && i.bulk) || undefined },
      {
        onSuccess: (r) => {
          void message.success(t('feeControl.requested', { n: r.items.length }));
          setAsking(false);
          setSelected([]);
          setReason('');
        },
      },
    );
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('feeControl.dryRunHelp')}
      </Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <span>{t('feeControl.date')}</span>
        <DatePicker value={date} onChange={setDate} placeholder={t('feeControl.tomorrow')} disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(dayjs().add(60, 'day'))} data-testid="dry-run-date" />
        <Select<number | undefined>
          style={{ width: 150 }}
          value={hour}
          onChange={setHour}
          allowClear
          placeholder={t('feeControl.runHour')}
          options={Array.from({ length: 24 }, (_, h) => ({ value: h, label: `${String(h).padStart(2, '0')}:00` }))}
        />
        {manage && (
          <Button disabled={selected.length === 0} onClick={() => setAsking(true)} data-testid="request-approval">
            {t('feeControl.requestApproval', { n: selected.length })}
          </Button>
        )}
      </Space>
      {run.error && <Alert type="error" showIcon title={describeError(run.error)} style={{ marginBottom: 12 }} />}
      {data && (
        <Space wrap size={[16, 8]} style={{ marginBottom: 12 }} data-testid="dry-run-summary">
          <span>{t('feeControl.dryRunOn', { date: data.date, hour: String(data.hour).padStart(2, '0') })}</span>
          <Tag color="red">{t('feeControl.wouldDisconnect', { n: data.disconnect })}</Tag>
          <Tag color="gold">{t('feeControl.wouldHold', { n: data.held })}</Tag>
          {data.blackout && <Tag color="blue">{t('feeControl.blackoutDay', { kind: label(t, 'feeControl.blackoutKind', data.blackout.kind), note: data.blackout.note })}</Tag>}
          {data.total > data.items.length && <Typography.Text type="secondary">{t('feeControl.firstN', { n: data.items.length, total: data.total })}</Typography.Text>}
        </Space>
      )}
      <Table<DryRunItem>
        size="small"
        rowKey="accountId"
        loading={run.isFetching}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        dataSource={data?.items ?? []}
        columns={columns}
        rowSelection={manage ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]), getCheckboxProps: (r) => ({ disabled: !askable(r) }) } : undefined}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noneDue')} /> }}
        onRow={() => ({ 'data-testid': 'dry-run-row' }) as HTMLAttributes<HTMLElement>}
        scroll={{ x: 900 }}
      />
      <Modal
        open={asking}
        title={t('feeControl.requestTitle', { n: selected.length })}
        okText={t('feeControl.request')}
        okButtonProps={{ disabled: reason.trim().length < 2, loading: request.isPending, 'data-testid': 'request-confirm' }}
        onOk={submit}
        onCancel={() => setAsking(false)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('feeControl.requestHelp')}</Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('feeControl.reason')} data-testid="request-reason" />
        {request.error && <Alert type="error" showIcon title={describeError(request.error)} style={{ marginTop: 12 }} />}
      </Modal>
    </>
  );
}

const COMMAND_FILTERS = ['all', 'staged', 'sent', 'escalated', 'done', 'failed', 'cancelled'] as const;

/** 指令队列: remote switching commands, newest first, with attempts and latency; escalated ones retried or cancelled by a person. */
function CommandsTab({ role }: { role: string | undefined }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const [filter, setFilter] = useState<(typeof COMMAND_FILTERS)[number]>('all');
  const q = useCommands(filter === 'all' ? undefined : (filter as CommandState));
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const retry = useRetryCommand();
  const cancel = useCancelCommand();
  const manage = canManageFeeControl(role);
  const act = (c: MeterCommand, verb: 'retry' | 'cancel') =>
    modal.confirm({
      title: t(`feeControl.${verb}Title`, { action: label(t, 'feeControl.action', c.action), meter: c.meterNo }),
      content: t(`feeControl.${verb}Help`),
      okButtonProps: verb === 'cancel' ? { danger: true } : {},
      onOk: () =>
        (verb === 'retry' ? retry : cancel).mutateAsync(c.id).then(
          () => void message.success(t(`feeControl.${verb}Done`)),
          (err: unknown) => void message.error(describeError(err)),
        ),
    });
  const columns: ColumnsType<MeterCommand> = [
    { title: t('feeControl.command'), key: 'action', render: (_, c) => <ActionTag action={c.action} /> },
    { title: t('feeControl.account'), key: 'account', width: 220, render: (_, c) => <AccountLink id={c.accountId} no={c.accountNo} name={c.accountName} /> },
    { title: t('feeControl.meter'), dataIndex: 'meterNo', responsive: ['lg'], render: (v: string) => <span className="mono">{v}</span> },
    { title: t('feeControl.commandStateTitle'), dataIndex: 'state', render: (v: string) => <CommandStateTag state={v} /> },
    { title: t('feeControl.attempts'), dataIndex: 'attempts', align: 'right', responsive: ['md'] },
    { title: t('feeControl.stagedAt'), dataIndex: 'stagedAt', responsive: ['md'], render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{dateTime(v)}</span> },
    { title: t('feeControl.latency'), dataIndex: 'latencyMs', align: 'right', render: (v: number | null) => <span className="num">{latencyText(v)}</span> },
    { title: t('feeControl.cause'), dataIndex: 'cause', responsive: ['xl'], ellipsis: true },
    { title: t('feeControl.lastError'), dataIndex: 'lastError', responsive: ['lg'], ellipsis: true, render: (v: string | null) => v ?? DASH },
    ...(manage
      ? [
          {
            title: '',
            key: 'act',
            render: (_: unknown, c: MeterCommand) =>
              c.state === 'escalated' || c.state === 'failed' ? (
                <Space size={4}>
                  <Button size="small" icon={<RedoOutlined />} onClick={() => act(c, 'retry')} data-testid="command-retry">
                    {t('feeControl.retry')}
                  </Button>
                  {c.state === 'escalated' && (
                    <Button size="small" danger icon={<StopOutlined />} onClick={() => act(c, 'cancel')} data-testid="command-cancel">
                      {t('feeControl.cancel')}
                    </Button>
                  )}
                </Space>
              ) : null,
          },
        ]
      : []),
  ];
  return (
    <>
      <Segmented<(typeof COMMAND_FILTERS)[number]>
        value={filter}
        onChange={setFilter}
        options={COMMAND_FILTERS.map((f) => ({ value: f, label: f === 'all' ? t('feeControl.all') : label(t, 'feeControl.commandState', f) }))}
        style={{ marginBottom: 12, maxWidth: '100%', overflowX: 'auto' }}
      />
      {q.error && <Alert type="error" showIcon title={describeError(q.error)} style={{ marginBottom: 12 }} />}
      <Table<MeterCommand>
        size="small"
        rowKey="id"
        loading={q.isLoading}
        pagination={false}
        dataSource={items}
        columns={columns}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noCommands')} /> }}
        onRow={(c) => ({ 'data-testid': 'command-row', 'data-state': c.state }) as HTMLAttributes<HTMLElement>}
        scroll={{ x: 1000 }}
      />
      <More q={q} />
    </>
  );
}

const APPROVAL_FILTERS = ['pending', 'approved', 'rejected', 'all'] as const;
const APPROVAL_COLORS: Record<string, string> = { pending: 'processing', approved: 'success', rejected: 'error', void: 'default' };

/** 停电审批: approvals of disconnections the guards hold; company level for protected customers, two people for a bulk one. */
function ApprovalsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<(typeof APPROVAL_FILTERS)[number]>('pending');
  const q = useDisconnectApprovals(filter === 'all' ? undefined : (filter as DisconnectApprovalStatus));
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const decide = useDecideApproval();
  const [deciding, setDeciding] = useState<{ approval: DisconnectApproval; approve: boolean } | null>(null);
  const [note, setNote] = useState('');
  const role = useMe().data?.role;
  const columns: ColumnsType<DisconnectApproval> = [
    { title: t('feeControl.account'), key: 'account', width: 220, render: (_, a) => <AccountLink id={a.accountId} no={a.accountNo} name={a.accountName} /> },
    { title: t('feeControl.stationName'), dataIndex: 'stationName', responsive: ['lg'] },
    { title: t('feeControl.reason'), dataIndex: 'reason', ellipsis: true },
    {
      title: t('feeControl.needs'),
      key: 'needs',
      render: (_, a) => (
        <Space size={2} wrap>
          {a.companyLevel && <Tag color="volcano">{t('feeControl.companyLevel')}</Tag>}
          {a.bulk && <Tag color="purple">{t('feeControl.twoApprovers')}</Tag>}
          <ProtectionTags protections={a.protections} />
        </Space>
      ),
    },
    {
      title: t('feeControl.status'),
      dataIndex: 'status',
      render: (v: string, a) => (
        <Space size={2} orientation="vertical">
          <Tag color={APPROVAL_COLORS[v] ?? 'default'}>{label(t, 'feeControl.approvalStatus', v)}</Tag>
          {a.firstBy && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.firstBy}
              {a.secondBy ? ` · ${a.secondBy}` : a.bulk && a.status === 'pending' ? ` · ${t('feeControl.awaitingSecond')}` : ''}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t('feeControl.requestedAt'), dataIndex: 'requestedAt', responsive: ['md'], render: (v: string) => dateTime(v) },
    {
      title: '',
      key: 'decide',
      render: (_, a) =>
        a.mayDecide ? (
          <Space size={4}>
            <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setDeciding({ approval: a, approve: true })} data-testid="fee-approve">
              {t('approvals.approve')}
            </Button>
            <Button size="small" danger icon={<CloseOutlined />} onClick={() => setDeciding({ approval: a, approve: false })} data-testid="fee-reject">
              {t('approvals.reject')}
            </Button>
          </Space>
        ) : null,
    },
  ];
  const submit = () => {
    if (!deciding) return;
    decide.mutate(
      { id: deciding.approval.id, approve: deciding.approve, note: note.trim() || undefined },
      {
        onSuccess: (a) => {
          void message.success(t(a.status === 'pending' ? 'feeControl.firstApproved' : deciding.approve ? 'feeControl.approvedDone' : 'feeControl.rejectedDone'));
          setDeciding(null);
          setNote('');
        },
      },
    );
  };
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('feeControl.approvalsHelp')}
        {!canApproveDisconnection(role) && ` ${t('feeControl.cannotApprove')}`}
      </Typography.Paragraph>
      <Segmented<(typeof APPROVAL_FILTERS)[number]>
        value={filter}
        onChange={setFilter}
        options={APPROVAL_FILTERS.map((f) => ({ value: f, label: f === 'all' ? t('feeControl.all') : label(t, 'feeControl.approvalStatus', f) }))}
        style={{ marginBottom: 12 }}
      />
      {q.error && <Alert type="error" showIcon title={describeError(q.error)} style={{ marginBottom: 12 }} />}
      <Table<DisconnectApproval>
        size="small"
        rowKey="id"
        loading={q.isLoading}
        pagination={false}
        dataSource={items}
        columns={columns}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noApprovals')} /> }}
        onRow={() => ({ 'data-testid': 'fee-approval-row' }) as HTMLAttributes<HTMLElement>}
        scroll={{ x: 640 }}
      />
      <More q={q} />
      <Modal
        open={deciding !== null}
        title={deciding ? t(deciding.approve ? 'feeControl.approveTitle' : 'feeControl.rejectTitle', { account: `${deciding.approval.accountNo} ${deciding.approval.accountName}` }) : ''}
        okText={deciding?.approve ? t('approvals.approve') : t('approvals.reject')}
        okButtonProps={{ danger: deciding?.approve === false, loading: decide.isPending }}
        onOk={submit}
        onCancel={() => setDeciding(null)}
        destroyOnHidden
      >
        {deciding && <Typography.Paragraph>{deciding.approval.reason}</Typography.Paragraph>}
        <Input.TextArea rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('feeControl.note')} />
        {decide.error && <Alert type="error" showIcon title={describeError(decide.error)} style={{ marginTop: 12 }} />}
      </Modal>
    </>
  );
}

const BLACKOUT_KINDS = ['holiday', 'weather', 'other'] as const;
const BLACKOUT_COLORS: Record<string, string> = { holiday: 'red', weather: 'blue', other: 'default' };

/** 停电日历: days without disconnections (holidays, extreme weather …); nights are a setting. */
function CalendarTab({ role }: { role: string | undefined }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const q = useBlackoutDays();
  const add = useAddBlackoutDay();
  const remove = useRemoveBlackoutDay();
  const manage = canManageFeeControl(role);
  const [day, setDay] = useState<Dayjs | null>(null);
  const [kind, setKind] = useState<(typeof BLACKOUT_KINDS)[number]>('holiday');
  const [note, setNote] = useState('');
  const wide = Grid.useBreakpoint().md ?? true;
  const submit = () => {
    if (!day) return;
    add.mutate(
      { day: day.format('YYYY-MM-DD'), kind, note: note.trim() || undefined },
      {
        onSuccess: () => {
          void message.success(t('feeControl.blackoutAdded'));
          setDay(null);
          setNote('');
        },
        onError: (err) => void message.error(describeError(err)),
      },
    );
  };
  const columns: ColumnsType<BlackoutDay> = [
    { title: t('feeControl.day'), dataIndex: 'day', render: (v: string) => <span className="mono">{v}</span> },
    { title: t('feeControl.kind'), dataIndex: 'kind', render: (v: string) => <Tag color={BLACKOUT_COLORS[v]}>{label(t, 'feeControl.blackoutKind', v)}</Tag> },
    { title: t('feeControl.note'), dataIndex: 'note', render: (v: string) => v || DASH },
    { title: t('feeControl.createdBy'), dataIndex: 'createdBy', responsive: ['md'], render: (v: string | null) => v ?? DASH },
    ...(manage
      ? [
          {
            title: '',
            key: 'remove',
            render: (_: unknown, d: BlackoutDay) => (
              <Button
                size="small"
                type="text"
                danger
                icon={<DeleteOutlined />}
                loading={remove.isPending && remove.variables === d.day}
                onClick={() => remove.mutate(d.day, { onError: (err) => void message.error(describeError(err)) })}
                data-testid="blackout-remove"
                aria-label={t('feeControl.remove')}
              />
            ),
          },
        ]
      : []),
  ];
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('feeControl.calendarHelp')}
      </Typography.Paragraph>
      {manage && (
        <Space wrap style={{ marginBottom: 12 }} orientation={wide ? 'horizontal' : 'vertical'}>
          <DatePicker value={day} onChange={setDay} disabledDate={(d) => d.isBefore(dayjs(), 'day')} data-testid="blackout-day" />
          <Select value={kind} onChange={setKind} style={{ width: 140 }} options={BLACKOUT_KINDS.map((k) => ({ value: k, label: label(t, 'feeControl.blackoutKind', k) }))} />
          <Input value={note} onChange={(e) => setNote(e.target.value)} maxLength={200} placeholder={t('feeControl.note')} style={{ width: 220 }} data-testid="blackout-note" />
          <Button type="primary" icon={<PlusOutlined />} disabled={!day} loading={add.isPending} onClick={submit} data-testid="blackout-add">
            {t('feeControl.addDay')}
          </Button>
        </Space>
      )}
      {q.error && <Alert type="error" showIcon title={describeError(q.error)} style={{ marginBottom: 12 }} />}
      <Table<BlackoutDay>
        size="small"
        rowKey="day"
        loading={q.isLoading}
        pagination={false}
        dataSource={q.data?.items ?? []}
        columns={columns}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('feeControl.noBlackout')} /> }}
        onRow={() => ({ 'data-testid': 'blackout-row' }) as HTMLAttributes<HTMLElement>}
      />
    </>
  );
}

