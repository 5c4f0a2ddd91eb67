import { ArrowLeftOutlined, AuditOutlined, DownloadOutlined, RedoOutlined, SendOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Input, Modal, Progress, Result, Row, Skeleton, Space, Statistic, Steps, Tooltip, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { billRunSummaryUrl, hasRoute, runInProgress, useApiRoutes, useApproveBillRun, useBillRun, useIssueBillRun, useMe, useStartBillRun } from '../../api/queries';
import type { BillRun } from '../../api/types';
import { dateTime, DASH } from '../../format';
import { yuan } from '../tariffs/money';
import { NotForYou } from './BillRunsPage';
import { ExceptionsCard } from './ExceptionsCard';
import { duration, RunStatusTag } from './parts';
import { canRunBills, canViewBillRuns } from './roles';
import { count, runActions, runStep } from './run-state';

type T = ReturnType<typeof useTranslation>['t'];

/**
 * One bill run: where it stands (核算 → 审核 → 发行) with live progress and ETA while it rates or issues
 * (polled every second), its counts and totals, the review list, and the approve and issue decisions.
 */
export function BillRunPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const id = Number(useParams().id);
  const me = useMe();
  const role = me.data?.role;
  const canView = canViewBillRuns(role);
  const query = useBillRun(canView ? id : 0);
  const run = query.data;
  useSettledEffects(run);

  useEffect(() => {
    document.title = `${run ? `${run.period} ` : ''}${t('billing.title')} · ${t('app.name')}`;
  }, [run, t]);

  if (!canView || (query.error instanceof ApiError && query.error.status === 403)) return <NotForYou />;
  if (!Number.isInteger(id) || id <= 0 || (query.error instanceof ApiError && query.error.status === 404)) {
    return (
      <Result
        status="404"
        title={t('error.NOT_FOUND')}
        subTitle={t('billing.run.notFound')}
        extra={
          <Link to="/billing">
            <Button type="primary">{t('billing.runs.back')}</Button>
          </Link>
        }
      />
    );
  }
  if (query.isError && !run) return <Result status="error" title={t('error.title')} subTitle={describeError(query.error)} extra={<Button onClick={() => void query.refetch()}>{t('common.retry')}</Button>} />;
  if (!run) return <Card><Skeleton active paragraph={{ rows: 8 }} /></Card>;

  const step = runStep(run);
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="bill-run" data-status={run.status}>
      <Card variant="borderless" styles={{ body: { padding: '12px 20px' } }}>
        <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
          <Tooltip title={t('billing.runs.back')}>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/billing')} />
          </Tooltip>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="run-title">
            {t('billing.run.title', { period: run.period })}
          </Typography.Title>
          <RunStatusTag status={run.status} t={t} />
          <div style={{ flex: 1 }} />
          <RunButtons run={run} canRun={canRunBills(role)} />
        </div>
        <Steps
          size="small"
          style={{ marginTop: 16, maxWidth: 760 }}
          current={step.current}
          status={step.status}
          items={[
            { title: t('billing.step.rate'), content: run.ratedAt ? dateTime(run.ratedAt) : undefined },
            { title: t('billing.step.review'), content: run.approvedAt ? dateTime(run.approvedAt) : undefined },
            { title: t('billing.step.issue'), content: run.issuedAt ? dateTime(run.issuedAt) : undefined },
          ]}
        />
      </Card>

      {run.status === 'failed' && <Alert type="error" showIcon title={t('billing.run.failed', { phase: t(`billing.runStatus.${run.failedStatus ?? 'rating'}`) })} description={run.error ?? undefined} data-testid="run-error" />}

      <ProgressCard run={run} t={t} />
      <Figures run={run} t={t} />
      <RunDetails run={run} t={t} />
      {run.status !== 'rating' && <ExceptionsCard run={run} />}
    </Space>
  );
}

/** When a run settles (review, issued), its exceptions and any bills already on screen are out of date. */
function useSettledEffects(run: BillRun | undefined) {
  const qc = useQueryClient();
  const last = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!run) return;
    const before = last.current;
    last.current = run.status;
    if (before === undefined || before === run.status) return;
    void qc.invalidateQueries({ queryKey: ['bill-run-exceptions', run.id] });
    void qc.invalidateQueries({ queryKey: ['bill-runs'] });
    void qc.invalidateQueries({ queryKey: ['account-bills'] });
    void qc.invalidateQueries({ queryKey: ['bill'] });
  }, [run, qc]);
}

/** Approve (审核), issue (发行), resume a failed run, download the summary — by status and role. */
function RunButtons({ run, canRun }: { run: BillRun; canRun: boolean }) {
  const { t } = useTranslation();
  const routes = useApiRoutes();
  const actions = runActions(run, canRun);
  const [dialog, setDialog] = useState<'approve' | 'issue' | null>(null);
  const resumeRating = useStartBillRun();
  const resumeIssue = useIssueBillRun();
  const resumeError = resumeRating.error ?? resumeIssue.error;
  // The summary lists the bills: there is something to download once rating is over.
  const summary = hasRoute(routes.data, 'GET', '/bill-runs/{id}/summary.xlsx') && run.status !== 'rating' && run.counts.bills > 0;

  return (
    <Space wrap>
      {summary && (
        <Button icon={<DownloadOutlined />} href={billRunSummaryUrl(run.id)} data-testid="run-summary-xlsx">
          {t('billing.run.summaryXlsx')}
        </Button>
      )}
      {actions.resume && (
        <Button
          icon={<RedoOutlined />}
          loading={resumeRating.isPending || resumeIssue.isPending}
          onClick={() => (actions.resume === 'issuing' ? resumeIssue.mutate(run.id) : resumeRating.mutate(run.period))}
          data-testid="resume-run"
        >
          {t('billing.run.resume')}
        </Button>
      )}
      {canRun && (
        <>
          <Tooltip title={actions.approve ? undefined : t('billing.approve.when')}>
            <Button type={actions.approve ? 'primary' : 'default'} icon={<AuditOutlined />} disabled={!actions.approve} onClick={() => setDialog('approve')} data-testid="approve-run">
              {t('billing.approve.button')}
            </Button>
          </Tooltip>
          <Tooltip title={actions.issue ? undefined : t('billing.issue.when')}>
            <Button type={actions.issue ? 'primary' : 'default'} icon={<SendOutlined />} disabled={!actions.issue} onClick={() => setDialog('issue')} data-testid="issue-run">
              {t('billing.issue.button')}
            </Button>
          </Tooltip>
        </>
      )}
      {resumeError && <Typography.Text type="danger">{describeError(resumeError)}</Typography.Text>}
      <ApproveDialog run={run} open={dialog === 'approve'} onClose={() => setDialog(null)} />
      <IssueDialog run={run} open={dialog === 'issue'} onClose={() => setDialog(null)} />
    </Space>
  );
}

function ApproveDialog({ run, open, onClose }: { run: BillRun; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const approve = useApproveBillRun();
  useEffect(() => {
    if (open) approve.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  return (
    <Modal
      open={open}
      title={t('billing.approve.title', { period: run.period })}
      okText={t('billing.approve.ok')}
      cancelText={t('billing.cancel')}
      confirmLoading={approve.isPending}
      okButtonProps={{ 'data-testid': 'approve-confirm' }}
      onCancel={onClose}
      onOk={() => approve.mutate({ id: run.id, note: note.trim() || undefined }, { onSuccess: () => (setNote(''), onClose()) })}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph style={{ margin: 0 }}>
          {t('billing.approve.summary', { bills: count(run.counts.bills), total: yuan(run.totalFen), exceptions: count(run.counts.exceptions) })}
        </Typography.Paragraph>
        {run.counts.blockingExceptions > 0 && <Alert type="warning" showIcon title={t('billing.approve.blocking', { n: count(run.counts.blockingExceptions) })} />}
        <Typography.Text type="secondary">{t('billing.approve.note')}</Typography.Text>
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} showCount rows={3} placeholder={t('billing.approve.notePlaceholder')} data-testid="approve-note" />
        {approve.error && <Alert type="error" showIcon title={describeError(approve.error)} data-testid="approve-error" />}
      </Space>
    </Modal>
  );
}

function IssueDialog({ run, open, onClose }: { run: BillRun; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const issue = useIssueBillRun();
  useEffect(() => {
    if (open) issue.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  return (
    <Modal
      open={open}
      title={t('billing.issue.title', { period: run.period })}
      okText={t('billing.issue.ok')}
      cancelText={t('billing.cancel')}
      okButtonProps={{ danger: true, 'data-testid': 'issue-confirm' }}
      confirmLoading={issue.isPending}
      onCancel={onClose}
      onOk={() => issue.mutate(run.id, { onSuccess: onClose })}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type="warning" showIcon title={t('billing.issue.warning')} data-testid="issue-warning" />
        <Typography.Paragraph style={{ margin: 0 }}>{t('billing.issue.summary', { bills: count(run.counts.bills), total: yuan(run.totalFen) })}</Typography.Paragraph>
        {issue.error && <Alert type="error" showIcon title={describeError(issue.error)} data-testid="issue-error" />}
      </Space>
    </Modal>
  );
}

/** Done of total as a percentage with one decimal, by integer arithmetic (like the server's). */
function percentOf(done: number, total: number): number {
  return total === 0 ? 100 : Math.min(100, Math.floor((done * 1000) / total) / 10);
}

/** The two phases as bars: rating (accounts) and issuing (bills); the phase under way is live with its speed and ETA. */
function ProgressCard({ run, t }: { run: BillRun; t: T }) {
  const p = run.progress;
  const live = (phase: 'rating' | 'issuing') => p.phase === phase;
  const speed = (unit: string) =>
    p.etaSeconds !== null && p.perSecond !== null ? t('billing.progress.eta', { eta: duration(t, p.etaSeconds), speed: count(p.perSecond), unit }) : t('billing.progress.estimating');
  const bar = (phase: 'rating' | 'issuing', done: number, total: number, reached: boolean, seconds: number | undefined, unit: string) => {
    const percent = live(phase) ? p.percent : reached ? percentOf(done, total) : 0;
    return (
      <div data-testid={`progress-${phase}`} data-percent={percent}>
        <div style={{ display: 'flex', justifyContent: 'space-between', gap: 12, flexWrap: 'wrap' }}>
          <Typography.Text strong>{t(`billing.progress.${phase}`)}</Typography.Text>
          <Typography.Text type="secondary" className="num">
            {live(phase) ? `${count(p.done)} / ${count(p.total)} ${unit} · ${speed(unit)}` : reached ? `${count(done)} / ${count(total)} ${unit}${seconds !== undefined ? ` · ${t('billing.progress.took', { time: duration(t, seconds, true) })}` : ''}` : t('billing.progress.waiting')}
          </Typography.Text>
        </div>
        <Progress percent={percent} status={live(phase) ? 'active' : run.status === 'failed' && run.failedStatus === phase ? 'exception' : percent >= 100 ? 'success' : 'normal'} />
      </div>
    );
  };
  const issuingReached = run.status === 'issuing' || run.status === 'issued' || (run.status === 'failed' && run.failedStatus === 'issuing');
  return (
    <Card size="small" title={t('billing.progress.title')} extra={runInProgress(run.status) ? <Typography.Text type="secondary">{t('billing.progress.live')}</Typography.Text> : null}>
      <Row gutter={[32, 8]}>
        <Col xs={24} lg={12}>
          {bar('rating', run.counts.accountsDone, run.counts.accountsTotal, true, run.timings.ratingSeconds, t('billing.unit.accounts'))}
        </Col>
        <Col xs={24} lg={12}>
          {bar('issuing', run.counts.issuedBills, run.counts.bills, issuingReached, run.timings.issueSeconds, t('billing.unit.bills'))}
        </Col>
      </Row>
    </Card>
  );
}

/** Counts and totals (元 from integer fen); money gets the wider cards (a county's month runs to 10 digits of 元). */
function Figures({ run, t }: { run: BillRun; t: T }) {
  const issued = run.counts.issuedBills > 0;
  const stat = (key: string, span: { md: number; xl: number }, title: string, value: string, extra?: { danger?: boolean; caption?: string }) => (
    <Col xs={12} md={span.md} xl={span.xl} key={key}>
      <Card size="small" variant="borderless" style={{ height: '100%' }}>
        <Statistic
          title={title}
          value={value}
          formatter={() => (
            <span className="num" data-testid={`figure-${key}`} style={{ whiteSpace: 'nowrap' }}>
              {value}
            </span>
          )}
          styles={{ content: { fontSize: 22, ...(extra?.danger ? { color: '#cf1322' } : {}) } }}
        />
        <Typography.Text type="secondary" className="num" style={{ fontSize: 12, visibility: extra?.caption ? 'visible' : 'hidden' }}>
          {extra?.caption ?? '—'}
        </Typography.Text>
      </Card>
    </Col>
  );
  const money = { md: 8, xl: 5 };
  const small = { md: 8, xl: 3 };
  return (
    <Row gutter={[16, 16]}>
      {stat('accounts', { md: 8, xl: 4 }, t('billing.figure.accounts'), count(run.counts.accountsTotal), { caption: t('billing.figure.done', { n: count(run.counts.accountsDone) }) })}
      {stat('bills', { md: 8, xl: 4 }, t('billing.figure.bills'), count(run.counts.bills), { caption: t('billing.figure.lines', { n: count(run.counts.lines) }) })}
      {stat('total', money, t('billing.figure.totalYuan'), yuan(run.totalFen))}
      {stat('exceptions', small, t('billing.figure.exceptions'), count(run.counts.exceptions))}
      {stat('blocking', small, t('billing.figure.blocking'), count(run.counts.blockingExceptions), { danger: run.counts.blockingExceptions > 0 })}
      {stat('issued', money, t('billing.figure.issuedYuan'), issued ? yuan(run.issuedFen) : DASH, { caption: issued ? t('billing.figure.issuedBills', { n: count(run.counts.issuedBills) }) : undefined })}
    </Row>
  );
}

function RunDetails({ run, t }: { run: BillRun; t: T }) {
  const at = (v: string | null) => (v ? dateTime(v) : DASH);
  return (
    <Card size="small" title={t('billing.run.record')}>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, md: 2, xl: 3 }}
        items={[
          { key: 'created', label: t('billing.run.startedAt'), children: at(run.createdAt) },
          { key: 'rated', label: t('billing.run.ratedAt'), children: at(run.ratedAt) },
          { key: 'approved', label: t('billing.run.approvedAt'), children: at(run.approvedAt) },
          { key: 'issueDate', label: t('billing.run.issueDate'), children: run.issueDate ?? DASH },
          { key: 'issued', label: t('billing.run.issuedAt'), children: at(run.issuedAt) },
          { key: 'note', label: t('billing.run.approvalNote'), children: run.approvalNote ?? DASH },
        ]}
      />
    </Card>
  );
}
