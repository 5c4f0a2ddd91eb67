import { MobileOutlined, SendOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Grid, List, Result, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { dateTime, DASH, label } from '../../format';
import { NOTICE_CHANNELS, NOTICE_KINDS, NOTIFICATION_STATES, useDeliverNow, useNotifications, type Notification, type NotificationFilters } from './api';
import { filtersOf, paramsOf, STATE_COLORS } from './present';
import { canDeliverNotifications, canViewNotifications } from './roles';

type T = ReturnType<typeof useTranslation>['t'];

/**
 * 通知: the outbox of the accounts in scope — every SMS and grid-app push the fee control queued, its
 * Chinese text, the masked phone, and its delivery state (发送中 / 已发送 / 失败, retried with back-off /
 * 未发送 when no channel is configured: in the demo, what would have been sent). Filters live in the
 * address (?accountId=&kind=&channel=&state=); a phone gets cards instead of the table.
 */
export function NotificationsPage() {
  const { t } = useTranslation();
  const role = useMe().data?.role;
  const allowed = canViewNotifications(role);
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersOf(params), [params]);
  const list = useNotifications(filters, allowed);
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const wide = Grid.useBreakpoint().md ?? true;

  useEffect(() => {
    document.title = `${t('notify.title')} · ${t('app.name')}`;
  }, [t]);

  if (!allowed || (list.error instanceof ApiError && list.error.status === 403)) {
    return <Result status="403" title={t('notify.forbiddenTitle')} subTitle={t('notify.forbidden')} data-testid="notifications-forbidden" />;
  }

  const setFilter = (change: Partial<NotificationFilters>) => setParams(paramsOf({ ...filters, ...change }), { replace: true });
  const held = items.some((n) => n.state === 'held');

  return (
    <Card variant="borderless" title={t('notify.title')} extra={canDeliverNotifications(role) && <DeliverButton />} styles={{ body: { paddingTop: 8 } }}>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('notify.help')}
      </Typography.Paragraph>
      {held && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('notify.heldTitle')} description={t('notify.heldHelp')} data-testid="notifications-held" />}
      <Filters filters={filters} onChange={setFilter} />
      {list.error && !(list.error instanceof ApiError && list.error.status === 403) && <Alert type="error" showIcon title={describeError(list.error)} style={{ marginBottom: 12 }} />}
      {wide ? <OutboxTable items={items} loading={list.isLoading} /> : <OutboxCards items={items} loading={list.isLoading} />}
      {list.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 8 }}>
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="load-more">
            {t('billing.loadMore')}
          </Button>
        </div>
      )}
    </Card>
  );
}

function Filters({ filters, onChange }: { filters: NotificationFilters; onChange: (f: Partial<NotificationFilters>) => void }) {
  const { t } = useTranslation();
  const select = { allowClear: true, style: { minWidth: 150 } } as const;
  return (
    <Space wrap size={8} style={{ marginBottom: 12 }}>
      {filters.accountId !== undefined && (
        <Tag closable onClose={() => onChange({ accountId: undefined })} data-testid="notifications-account-filter">
          {t('notify.accountFilter', { id: filters.accountId })}
        </Tag>
      )}
      <Select
        {...select}
        placeholder={t('notify.kindTitle')}
        value={filters.kind}
        onChange={(v) => onChange({ kind: v })}
        options={NOTICE_KINDS.map((k) => ({ value: k, label: t(`notify.kind.${k}`) }))}
        data-testid="notifications-kind"
      />
      <Select
        {...select}
        placeholder={t('notify.stateTitle')}
        value={filters.state}
        onChange={(v) => onChange({ state: v })}
        options={NOTIFICATION_STATES.map((s) => ({ value: s, label: t(`notify.state.${s}`) }))}
        data-testid="notifications-state"
      />
      <Select
        {...select}
        style={{ minWidth: 120 }}
        placeholder={t('notify.channelTitle')}
        value={filters.channel}
        onChange={(v) => onChange({ channel: v })}
        options={NOTICE_CHANNELS.map((c) => ({ value: c, label: t(`notify.channel.${c}`) }))}
        data-testid="notifications-channel"
      />
    </Space>
  );
}

function DeliverButton() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const deliver = useDeliverNow();
  return (
    <Tooltip title={t('notify.deliverHelp')}>
      <Button
        icon={<SendOutlined />}
        loading={deliver.isPending}
        onClick={() => deliver.mutate(undefined, { onSuccess: (r) => void message.success(t('notify.delivered', r)) })}
        data-testid="notifications-deliver"
      >
        {t('notify.deliver')}
      </Button>
    </Tooltip>
  );
}

export function StateTag({ n, t }: { n: Notification; t: T }) {
  const tag = (
    <Tag color={STATE_COLORS[n.state]} style={{ marginInlineEnd: 0 }} data-testid="notification-state">
      {label(t, 'notify.state', n.state)}
    </Tag>
  );
  const tip = n.state === 'held' ? t('notify.heldTip') : n.nextAttemptAt && n.state !== 'sending' ? t('notify.nextAttempt', { at: dateTime(n.nextAttemptAt) }) : null;
  return tip ? <Tooltip title={tip}>{tag}</Tooltip> : tag;
}

function Recipient({ n, t }: { n: Notification; t: T }) {
  return (
    <Space size={4} wrap>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {n.channel === 'sms' ? <MobileOutlined /> : null} {label(t, 'notify.channel', n.channel)}
      </Typography.Text>
      <span className="mono" data-testid="notification-recipient">
        {n.recipient}
      </span>
    </Space>
  );
}

function AccountCell({ n }: { n: Notification }) {
  return (
    <Space size={4} wrap>
      <Link to={`/accounts/${n.accountId}`} className="mono">
        {n.accountNo}
      </Link>
      <span>{n.accountName}</span>
    </Space>
  );
}

function OutboxTable({ items, loading }: { items: Notification[]; loading: boolean }) {
  const { t } = useTranslation();
  const columns: ColumnsType<Notification> = [
    {
      title: t('notify.createdAt'),
      dataIndex: 'createdAt',
      width: 130,
      render: (v: string, n) => (
        <div style={{ lineHeight: 1.4 }}>
          <span className="num">{dateTime(v)}</span>
          {n.sentAt && (
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('notify.sentAt', { at: dateTime(n.sentAt) })}
              </Typography.Text>
            </div>
          )}
        </div>
      ),
    },
    { title: t('notify.account'), key: 'account', width: 120, render: (_: unknown, n) => <AccountCell n={n} /> },
    { title: t('notify.recipient'), key: 'recipient', width: 125, render: (_: unknown, n) => <Recipient n={n} t={t} /> },
    { title: t('notify.kindTitle'), dataIndex: 'kind', width: 105, render: (k: string) => <Tag style={{ whiteSpace: 'normal' }}>{label(t, 'notify.kind', k)}</Tag> },
    { title: t('notify.body'), dataIndex: 'body', render: (v: string) => <span style={{ whiteSpace: 'normal', wordBreak: 'break-all' }}>{v}</span> },
    { title: t('notify.stateTitle'), dataIndex: 'state', width: 80, render: (_: string, n) => <StateTag n={n} t={t} /> },
    { title: t('notify.attempts'), dataIndex: 'attempts', width: 56, align: 'right', render: (v: number) => <span className="num">{v}</span> },
    {
      title: t('notify.lastError'),
      dataIndex: 'lastError',
      width: 150,
      ellipsis: { showTitle: false },
      render: (v: string | null) =>
        v ? (
          <Tooltip title={v} placement="topLeft">
            <Typography.Text type="danger">{v}</Typography.Text>
          </Tooltip>
        ) : (
          DASH
        ),
    },
  ];
  return (
    <Table<Notification>
      size="small"
      rowKey="id"
      loading={loading}
      pagination={false}
      dataSource={items}
      columns={columns}
      scroll={{ x: 1000 }}
      locale={{ emptyText: t('notify.empty') }}
      onRow={(n) => ({ 'data-testid': 'notification-row', 'data-notification-id': n.id, 'data-state': n.state, 'data-kind': n.kind }) as HTMLAttributes<HTMLElement>}
    />
  );
}

/** The same messages as cards, one under the other, for a phone's width. */
function OutboxCards({ items, loading }: { items: Notification[]; loading: boolean }) {
  const { t } = useTranslation();
  return (
    <List<Notification>
      loading={loading}
      dataSource={items}
      locale={{ emptyText: t('notify.empty') }}
      renderItem={(n) => (
        <List.Item style={{ display: 'block', paddingInline: 0 }} data-testid="notification-card" data-notification-id={n.id} data-state={n.state}>
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, marginBottom: 4 }}>
            <Space size={4} wrap>
              <Tag>{label(t, 'notify.kind', n.kind)}</Tag>
              <StateTag n={n} t={t} />
            </Space>
            <Typography.Text type="secondary" className="num" style={{ fontSize: 12 }}>
              {dateTime(n.createdAt)}
            </Typography.Text>
          </div>
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap', fontSize: 13 }}>
            <AccountCell n={n} />
            <Recipient n={n} t={t} />
          </div>
          <Typography.Paragraph style={{ margin: '6px 0 2px', wordBreak: 'break-all' }}>{n.body}</Typography.Paragraph>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('notify.attemptsShort', { n: n.attempts })}
            {n.lastError && (
              <>
                {' · '}
                <Typography.Text type="danger" style={{ fontSize: 12 }}>
                  <WarningOutlined /> {n.lastError}
                </Typography.Text>
              </>
            )}
          </Typography.Text>
        </List.Item>
      )}
    />
  );
}
