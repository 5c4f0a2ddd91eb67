import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Input, Modal, Segmented, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { describeError } from '../../api/errors';
import { dateTime, DASH, label } from '../../format';
import { yuan } from '../tariffs/money';
import { useApprovals, useDecide, type Approval, type ApprovalStatus } from './api';
import { APPROVAL_STATUS_COLORS, ApprovalKindTag, kindKey, Yuan } from './parts';

type T = ReturnType<typeof useTranslation>['t'];

/**
 * 审批: reversals (冲正), refunds (退费) and penalty waivers (违约金减免) on accounts in your scope. Pending
 * ones you may decide (one level above the requester, never your own) get 批准 / 驳回 with a note; the
 * history tab shows what was decided, by whom and why.
 */
export function ApprovalsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'history' ? 'history' : 'pending';
  const [historyStatus, setHistoryStatus] = useState<ApprovalStatus | 'all'>('all');
  const pending = useApprovals('pending');
  const history = useApprovals(historyStatus, tab === 'history');
  const pendingItems = useMemo(() => pending.data?.pages.flatMap((p) => p.items) ?? [], [pending.data]);
  const historyItems = useMemo(() => history.data?.pages.flatMap((p) => p.items) ?? [], [history.data]);
  const mine = pendingItems.filter((a) => a.mayDecide).length;
  const [deciding, setDeciding] = useState<{ approval: Approval; approve: boolean } | null>(null);

  useEffect(() => {
    document.title = `${t('approvals.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <Card variant="borderless" title={t('approvals.title')} styles={{ body: { paddingTop: 0 } }}>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'history' ? { tab: 'history' } : {})}
        items={[
          {
            key: 'pending',
            label: (
              <span data-testid="approvals-tab-pending">
                {t('approvals.pending')} <Badge count={mine} size="small" style={{ marginInlineStart: 4 }} />
              </span>
            ),
            children: (
              <>
                <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                  {t('approvals.help')}
                </Typography.Paragraph>
                <ApprovalTable
                  items={pendingItems}
                  loading={pending.isLoading}
                  columns={[...baseColumns(t), decideColumn(t, (approval, approve) => setDeciding({ approval, approve }))]}
                  empty={t('approvals.emptyPending')}
                />
                <More q={pending} />
              </>
            ),
          },
          {
            key: 'history',
            label: <span data-testid="approvals-tab-history">{t('approvals.history')}</span>,
            children: (
              <>
                <Segmented<ApprovalStatus | 'all'>
                  style={{ marginBottom: 12 }}
                  value={historyStatus}
                  onChange={setHistoryStatus}
                  options={(['all', 'pending', 'approved', 'rejected'] as const).map((s) => ({ value: s, label: t(`approvals.status.${s}`) }))}
                />
                <ApprovalTable items={historyItems} loading={history.isLoading} columns={[...baseColumns(t), statusColumn(t), ...decisionColumns(t)]} empty={t('approvals.emptyHistory')} />
                <More q={history} />
              </>
            ),
          },
        ]}
      />
      {deciding && <DecisionModal approval={deciding.approval} approve={deciding.approve} onClose={() => setDeciding(null)} />}
    </Card>
  );
}

function ApprovalTable({ items, loading, columns, empty }: { items: Approval[]; loading: boolean; columns: ColumnsType<Approval>; empty: string }) {
  return (
    <Table<Approval>
      size="small"
      rowKey="id"
      loading={loading}
      pagination={false}
      dataSource={items}
      columns={columns}
      scroll={{ x: 1050 }}
      locale={{ emptyText: empty }}
      onRow={(a) => ({ 'data-testid': 'approval-row', 'data-approval-id': a.id, 'data-kind': a.kind, 'data-status': a.status }) as HTMLAttributes<HTMLElement>}
    />
  );
}

function More({ q }: { q: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  const { t } = useTranslation();
  if (!q.hasNextPage) return null;
  return (
    <div style={{ textAlign: 'center', marginTop: 8 }}>
      <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
        {t('billing.loadMore')}
      </Button>
    </div>
  );
}

function baseColumns(t: T): ColumnsType<Approval> {
  return [
    { title: t('approvals.requestedAt'), dataIndex: 'requestedAt', width: 140, render: (v: string) => <span className="num">{dateTime(v)}</span> },
    { title: t('approvals.kindTitle'), dataIndex: 'kind', width: 100, render: (k: string) => <ApprovalKindTag kind={k} t={t} /> },
    {
      title: t('approvals.account'),
      key: 'account',
      width: 180,
      render: (_: unknown, a) => (
        <Space size={6} wrap>
          <Link to={`/accounts/${a.accountId}`} className="mono">
            {a.accountNo}
          </Link>
          <span>{a.accountName}</span>
        </Space>
      ),
    },
    { title: t('payments.amount'), dataIndex: 'amountFen', width: 110, align: 'right', render: (f: number) => <Yuan fen={f} strong /> },
    {
      title: t('approvals.subject'),
      key: 'subject',
      width: 100,
      render: (_: unknown, a) =>
        a.paymentId ? (
          <Link to={`/payments/receipt/${a.paymentId}`}>{t('approvals.openReceipt')}</Link>
        ) : a.billId ? (
          <span>{t('approvals.billNo', { id: a.billId })}</span>
        ) : (
          <span>{t('payments.figures.prepaid')}</span>
        ),
    },
    { title: t('approvals.reason'), dataIndex: 'reason', ellipsis: { showTitle: false }, render: (v: string) => <Tooltip title={v} placement="topLeft">{v}</Tooltip> },
    {
      title: t('approvals.requestedBy'),
      key: 'by',
      width: 140,
      render: (_: unknown, a) => (
        <span>
          {a.requestedBy} <Typography.Text type="secondary">({label(t, 'role', a.requestedByRole)})</Typography.Text>
        </span>
      ),
    },
  ];
}

function statusColumn(t: T): ColumnsType<Approval>[number] {
  return { title: t('approvals.statusTitle'), dataIndex: 'status', width: 90, render: (s: string) => <Tag color={APPROVAL_STATUS_COLORS[s] ?? 'default'}>{label(t, 'approvals.status', s)}</Tag> };
}

function decisionColumns(t: T): ColumnsType<Approval> {
  return [
    {
      title: t('approvals.decidedBy'),
      key: 'decided',
      width: 170,
      render: (_: unknown, a) =>
        a.decidedBy ? (
          <div style={{ lineHeight: 1.4 }}>
            <div>{a.decidedBy}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.decidedAt ? dateTime(a.decidedAt) : ''}
            </Typography.Text>
          </div>
        ) : (
          DASH
        ),
    },
    { title: t('approvals.note'), dataIndex: 'decisionNote', width: 180, ellipsis: true, render: (v: string | null) => v ?? DASH },
  ];
}

function decideColumn(t: T, open: (a: Approval, approve: boolean) => void): ColumnsType<Approval>[number] {
  return {
    title: t('approvals.decide'),
    key: 'decide',
    width: 170,
    fixed: 'right',
    render: (_: unknown, a) =>
      a.mayDecide ? (
        <Space size={4}>
          <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => open(a, true)} data-testid="approve">
            {t('approvals.approve')}
          </Button>
          <Button size="small" danger icon={<CloseOutlined />} onClick={() => open(a, false)} data-testid="reject">
            {t('approvals.reject')}
          </Button>
        </Space>
      ) : (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('approvals.notYours')}
        </Typography.Text>
      ),
  };
}

/** 批准 or 驳回 with a note; approving moves the money now (a reversal, refund or waiver), so it says so. */
function DecisionModal({ approval, approve, onClose }: { approval: Approval; approve: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const decide = useDecide();
  const [note, setNote] = useState('');
  const rejectNeedsNote = !approve && note.trim().length < 2;
  return (
    <Modal
      open
      title={t(approve ? 'approvals.approveTitle' : 'approvals.rejectTitle')}
      onCancel={onClose}
      okText={t(approve ? 'approvals.approve' : 'approvals.reject')}
      okButtonProps={{ danger: !approve, disabled: rejectNeedsNote, loading: decide.isPending, 'data-testid': 'decision-confirm' }}
      onOk={() =>
        decide.mutate(
          { id: approval.id, approve, note: note.trim() || undefined },
          {
            onSuccess: () => {
              void message.success({ content: t(approve ? 'approvals.approved' : 'approvals.rejected'), key: 'decision' });
              onClose();
            },
          },
        )
      }
      destroyOnHidden
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        <div>
          <ApprovalKindTag kind={approval.kind} t={t} />
          <span className="mono">{approval.accountNo}</span> {approval.accountName} · <b className="num">¥{yuan(approval.amountFen)}</b>
        </div>
        <Typography.Text type="secondary">
          {t('approvals.reason')}：{approval.reason}
        </Typography.Text>
        {approve && <Alert type="warning" showIcon title={t(`approvals.effect.${kindKey(approval.kind)}`, { defaultValue: t('approvals.effect.default') })} />}
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={500} showCount placeholder={t(approve ? 'approvals.notePlaceholder' : 'approvals.rejectNotePlaceholder')} data-testid="decision-note" />
        {decide.isError && <Alert type="error" showIcon title={describeError(decide.error)} />}
      </Space>
    </Modal>
  );
}
