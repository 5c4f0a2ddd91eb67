import { ArrowLeftOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Input, Modal, Radio, Result, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { dateTime, DASH, label } from '../../format';
import { yuan } from '../tariffs/money';
import { ChannelTag, Yuan } from '../payments/parts';
import { canManageReconciliation } from '../payments/roles';
import { ITEM_STATUSES, RESOLUTIONS, useReconItems, useResolveItem, type ItemsFilter, type ItemStatus, type ReconItem, type Resolution } from './api';

const STATUS_COLORS: Record<ItemStatus, string> = { matched: 'success', channel_only: 'orange', ledger_only: 'red', amount_mismatch: 'magenta' };
type View = 'exceptions' | 'all' | ItemStatus;

/** /reconciliation/:channel/:date — the items of one reconciled channel-day; differences reviewed with a reason. */
export function DayItemsPage() {
  const { t } = useTranslation();
  const { channel = '', date = '' } = useParams();
  const role = useMe().data?.role;
  const [params, setParams] = useSearchParams();
  const view = (params.get('view') as View | null) ?? 'exceptions';
  const filter: ItemsFilter = useMemo(() => (view === 'exceptions' ? { unresolved: true } : view === 'all' ? {} : { status: view }), [view]);
  const items = useReconItems(channel, date, filter);
  const rows = useMemo(() => items.data?.pages.flatMap((p) => p.items) ?? [], [items.data]);
  const [resolving, setResolving] = useState<ReconItem | null>(null);
  const manage = canManageReconciliation(role);

  useEffect(() => {
    document.title = `${t('recon.title')} ${date} · ${t('app.name')}`;
  }, [t, date]);

  if (items.error instanceof ApiError && (items.error.status === 404 || items.error.status === 403)) {
    return (
      <Result
        status="404"
        title={t('recon.dayNotFound')}
        subTitle={describeError(items.error)}
        extra={
          <Link to="/reconciliation">
            <Button type="primary">{t('recon.back')}</Button>
          </Link>
        }
      />
    );
  }

  return (
    <Card
      variant="borderless"
      title={
        <Space>
          <Link to="/reconciliation">
            <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('recon.back')} />
          </Link>
          <span data-testid="recon-day-title">
            {t('recon.dayTitle', { date })} <ChannelTag channel={channel} />
          </span>
        </Space>
      }
    >
      <Segmented<View>
        style={{ marginBottom: 12 }}
        value={view}
        onChange={(v) => setParams(v === 'exceptions' ? {} : { view: v }, { replace: true })}
        options={[
          { value: 'exceptions', label: t('recon.viewExceptions') },
          { value: 'all', label: t('recon.viewAll') },
          ...ITEM_STATUSES.map((s) => ({ value: s, label: t(`recon.status.${s}`) })),
        ]}
        data-testid="recon-view"
      />
      <Table<ReconItem>
        size="small"
        rowKey="id"
        loading={items.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1160 }}
        locale={{ emptyText: view === 'exceptions' ? t('recon.noExceptions') : t('recon.noItems') }}
        onRow={(r) => ({ 'data-testid': 'recon-item-row', 'data-status': r.status, 'data-resolved': String(r.resolved) }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('recon.itemStatus'), dataIndex: 'status', width: 90, fixed: 'left', render: (s: ItemStatus) => <Tag color={STATUS_COLORS[s]}>{label(t, 'recon.status', s)}</Tag> },
          { title: t('recon.txnId'), dataIndex: 'channelTxnId', width: 200, render: (v: string) => <span className="mono" style={{ wordBreak: 'break-all' }}>{v}</span> },
          { title: t('recon.outTradeNo'), dataIndex: 'outTradeNo', width: 180, render: (v: string | null) => <span className="mono">{v ?? DASH}</span> },
          { title: t('recon.statementAmount'), dataIndex: 'statementFen', width: 100, align: 'right', render: (f: number | null) => (f === null ? DASH : <Yuan fen={f} />) },
          { title: t('recon.ledgerAmount'), dataIndex: 'ledgerFen', width: 100, align: 'right', render: (f: number | null) => (f === null ? DASH : <Yuan fen={f} />) },
          {
            title: t('approvals.account'),
            key: 'account',
            width: 190,
            render: (_: unknown, r) => (
              <Space size={4} wrap>
                {r.accountId ? (
                  <>
                    <Link to={`/accounts/${r.accountId}`} className="mono">
                      {r.accountNo}
                    </Link>
                    <span>{r.accountName}</span>
                  </>
                ) : (
                  DASH
                )}
                {r.paymentId && <Link to={`/payments/receipt/${r.paymentId}`}>{t('approvals.openReceipt')}</Link>}
              </Space>
            ),
          },
          { title: t('recon.reason'), dataIndex: 'reason', ellipsis: { showTitle: false }, render: (v: string | null) => (v ? <Tooltip title={v}>{v}</Tooltip> : DASH) },
          {
            title: t('recon.review'),
            key: 'review',
            width: 150,
            fixed: 'right',
            render: (_: unknown, r) =>
              r.resolved ? (
                <Tooltip title={`${r.resolutionNote ?? ''}${r.resolvedAt ? ` · ${dateTime(r.resolvedAt)}` : ''}`}>
                  <Tag icon={<CheckCircleOutlined />} color="success">
                    {label(t, 'recon.resolution', r.resolution)}
                  </Tag>
                </Tooltip>
              ) : r.exception ? (
                manage ? (
                  <Button size="small" type="primary" ghost onClick={() => setResolving(r)} data-testid="recon-resolve">
                    {t('recon.resolve')}
                  </Button>
                ) : (
                  <Tag color="warning">{t('recon.toReview')}</Tag>
                )
              ) : (
                <Typography.Text type="secondary">{DASH}</Typography.Text>
              ),
          },
        ]}
      />
      {items.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 8 }}>
          <Button onClick={() => void items.fetchNextPage()} loading={items.isFetchingNextPage}>
            {t('billing.loadMore')}
          </Button>
        </div>
      )}
      {resolving && <ResolveModal item={resolving} onClose={() => setResolving(null)} />}
    </Card>
  );
}

function ResolveModal({ item, onClose }: { item: ReconItem; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const resolve = useResolveItem();
  const [resolution, setResolution] = useState<Resolution | null>(null);
  const [note, setNote] = useState('');
  const ready = resolution !== null && note.trim().length >= 2;
  return (
    <Modal
      open
      title={t('recon.resolveTitle')}
      onCancel={onClose}
      okText={t('recon.resolve')}
      okButtonProps={{ disabled: !ready, loading: resolve.isPending, 'data-testid': 'recon-resolve-confirm' }}
      onOk={() =>
        resolution &&
        resolve.mutate(
          { id: item.id, resolution, note: note.trim() },
          {
            onSuccess: () => {
              void message.success({ content: t('recon.resolved'), key: 'recon-resolve' });
              onClose();
            },
          },
        )
      }
      destroyOnHidden
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        <div>
          <Tag color={STATUS_COLORS[item.status]}>{label(t, 'recon.status', item.status)}</Tag>
          <span className="mono">{item.channelTxnId}</span>
        </div>
        <Typography.Text type="secondary">
          {t('recon.statementAmount')} {item.statementFen === null ? DASH : yuan(item.statementFen)} · {t('recon.ledgerAmount')} {item.ledgerFen === null ? DASH : yuan(item.ledgerFen)}
        </Typography.Text>
        <Radio.Group value={resolution} onChange={(e) => setResolution(e.target.value as Resolution)} style={{ display: 'flex', flexDirection: 'column', gap: 8 }} data-testid="recon-resolution">
          {RESOLUTIONS.map((r) => (
            <Radio key={r} value={r}>
              <b>{t(`recon.resolution.${r}`)}</b>
              <div style={{ fontSize: 12, color: '#57606a' }}>{t(`recon.resolutionHelp.${r}`)}</div>
            </Radio>
          ))}
        </Radio.Group>
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={500} showCount placeholder={t('recon.notePlaceholder')} data-testid="recon-resolve-note" />
        {resolve.isError && <Alert type="error" showIcon title={describeError(resolve.error)} />}
      </Space>
    </Modal>
  );
}
