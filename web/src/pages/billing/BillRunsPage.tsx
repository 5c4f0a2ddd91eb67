import { PlayCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Progress, Result, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { runInProgress, useBillRuns, useMe, useStartBillRun } from '../../api/queries';
import type { BillRun } from '../../api/types';
import { dateTime, DASH } from '../../format';
import { yuan } from '../tariffs/money';
import { RunStatusTag } from './parts';
import { canRunBills, canViewBillRuns } from './roles';
import { businessToday, count, isBillable, lastCompletePeriod } from './run-state';

/** 电费发行: the company's bill runs, newest period first, and (for marketing and admin) the form that starts one. */
export function BillRunsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMe();
  const role = me.data?.role;
  const canView = canViewBillRuns(role);
  const runs = useBillRuns(canView);
  const items = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);

  useEffect(() => {
    document.title = `${t('billing.title')} · ${t('app.name')}`;
  }, [t]);

  if (!canView || (runs.error instanceof ApiError && runs.error.status === 403)) return <NotForYou />;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      {canRunBills(role) && <StartRunCard runs={items} />}
      <Card title={t('billing.runs.title')} variant="borderless" styles={{ body: { padding: 0 } }}>
        <Table<BillRun>
          size="middle"
          rowKey="id"
          className="clickable-rows"
          loading={runs.isLoading}
          dataSource={items}
          pagination={false}
          scroll={{ x: 1040 }}
          locale={{ emptyText: t('billing.runs.empty') }}
          onRow={(r) => ({ onClick: () => navigate(`/billing/runs/${r.id}`), 'data-testid': 'run-row', 'data-period': r.period }) as HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: t('billing.run.period'),
              dataIndex: 'period',
              width: 90,
              fixed: 'left',
              render: (p: string, r) => (
                <Link to={`/billing/runs/${r.id}`} className="num" onClick={(e) => e.stopPropagation()}>
                  <b>{p}</b>
                </Link>
              ),
            },
            {
              title: t('billing.run.status'),
              dataIndex: 'status',
              width: 150,
              render: (_: string, r) => (
                <Space size={6}>
                  <RunStatusTag status={r.status} t={t} />
                  {runInProgress(r.status) && <Progress percent={r.progress.percent} size={[70, 6]} showInfo={false} status="active" />}
                </Space>
              ),
            },
            { title: t('billing.run.accounts'), key: 'accounts', align: 'right', width: 100, render: (_: unknown, r) => <span className="num">{count(r.counts.accountsTotal)}</span> },
            { title: t('billing.run.bills'), key: 'bills', align: 'right', width: 90, render: (_: unknown, r) => <span className="num">{count(r.counts.bills)}</span> },
            {
              title: t('billing.run.exceptions'),
              key: 'exceptions',
              align: 'right',
              width: 130,
              render: (_: unknown, r) => (
                <span className="num" style={{ whiteSpace: 'nowrap' }}>
                  {count(r.counts.exceptions)}
                  {r.counts.blockingExceptions > 0 && <Typography.Text type="danger">{` (${t('billing.run.blockingShort', { n: count(r.counts.blockingExceptions) })})`}</Typography.Text>}
                </span>
              ),
            },
            { title: t('billing.run.totalYuan'), dataIndex: 'totalFen', align: 'right', width: 140, render: (f: number) => <span className="num" style={{ whiteSpace: 'nowrap' }}>{yuan(f)}</span> },
            {
              title: t('billing.run.issuedYuan'),
              dataIndex: 'issuedFen',
              align: 'right',
              width: 140,
              render: (f: number, r) => <span className="num" style={{ whiteSpace: 'nowrap' }}>{r.counts.issuedBills > 0 ? yuan(f) : DASH}</span>,
            },
            {
              title: t('billing.run.times'),
              key: 'times',
              width: 210,
              render: (_: unknown, r) => {
                const [what, at] = r.issuedAt ? ['issuedAt', r.issuedAt] : r.ratedAt ? ['ratedAt', r.ratedAt] : [null, null];
                return (
                  <div style={{ whiteSpace: 'nowrap', lineHeight: 1.45, fontSize: 13 }}>
                    <div>
                      <Typography.Text type="secondary">{t('billing.run.startedAt')}</Typography.Text> {r.createdAt ? dateTime(r.createdAt) : DASH}
                    </div>
                    {what && at && (
                      <div>
                        <Typography.Text type="secondary">{t(`billing.run.${what}`)}</Typography.Text> {dateTime(at)}
                      </div>
                    )}
                  </div>
                );
              },
            },
          ]}
        />
        {runs.hasNextPage && (
          <div style={{ textAlign: 'center', padding: 12 }}>
            <Button onClick={() => void runs.fetchNextPage()} loading={runs.isFetchingNextPage}>
              {t('billing.loadMore')}
            </Button>
          </div>
        )}
      </Card>
    </Space>
  );
}

/** Station roles and cashiers: the runs are the marketing department's; their bills are on the customer page. */
export function NotForYou() {
  const { t } = useTranslation();
  return (
    <Result
      status="403"
      title={t('billing.forbiddenTitle')}
      subTitle={t('billing.forbidden')}
      data-testid="billing-forbidden"
      extra={
        <Link to="/customers">
          <Button type="primary">{t('menu.customers')}</Button>
        </Link>
      }
    />
  );
}

/** Period picker (YYYY-MM, months that have ended) and "start": POST /bill-runs, then the run's page. */
function StartRunCard({ runs }: { runs: BillRun[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const today = businessToday();
  const [period, setPeriod] = useState<Dayjs>(dayjs(`${lastCompletePeriod(today)}-01`));
  const start = useStartBillRun();
  const chosen = period.format('YYYY-MM');
  const existing = runs.find((r) => r.period === chosen);
  const errors = start.error instanceof ApiError ? (start.error.problem.errors ?? []) : [];

  const submit = () => start.mutate(chosen, { onSuccess: (run) => navigate(`/billing/runs/${run.id}`) });

  return (
    <Card title={t('billing.start.title')} variant="borderless" size="small">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('billing.start.help')}
        </Typography.Text>
        <Space wrap>
          <span>{t('billing.start.period')}</span>
          <DatePicker
            picker="month"
            value={period}
            allowClear={false}
            disabledDate={(d) => !isBillable(d.format('YYYY-MM'), today)}
            onChange={(d) => {
              if (d) setPeriod(d);
              start.reset();
            }}
            data-testid="start-period"
          />
          {existing ? (
            <Button type="primary" onClick={() => navigate(`/billing/runs/${existing.id}`)} data-testid="open-existing-run">
              {t('billing.start.openExisting')}
            </Button>
          ) : (
            <Button type="primary" icon={<PlayCircleOutlined />} loading={start.isPending} onClick={submit} data-testid="start-run">
              {t('billing.start.submit')}
            </Button>
          )}
        </Space>
        {existing && <Alert type="info" showIcon title={t('billing.start.exists', { period: chosen, status: t(`billing.runStatus.${existing.status}`) })} />}
        {start.error && (
          <Alert
            type="error"
            showIcon
            title={errors.length > 1 ? t('billing.start.cannotStart', { period: chosen, n: errors.length }) : describeError(start.error)}
            data-testid="start-error"
            description={
              errors.length > 1 ? (
                <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                  {errors.map((e, i) => (
                    <li key={i}>{e.message}</li>
                  ))}
                </ul>
              ) : undefined
            }
          />
        )}
      </Space>
    </Card>
  );
}
