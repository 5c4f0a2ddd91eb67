import { Button, Card, Empty, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useBillRunExceptions, useOrgTree } from '../../api/queries';
import type { BillRun, BillRunException, BillRunExceptionFilter } from '../../api/types';
import { localName } from '../../format';
import { BillDrawer } from './BillLines';
import { exceptionDetail, exceptionKind, exceptionMessage } from './parts';
import { count } from './run-state';

type Blocking = 'all' | 'blocking' | 'review';

/**
 * 审核: the run's exception list. Blocking ones are accounts with no bill in this run (fix the read, bill
 * them later); the others are bills made and flagged for a look. Filter by kind, blocking, station.
 */
export function ExceptionsCard({ run }: { run: BillRun }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<string | undefined>(undefined);
  const [blocking, setBlocking] = useState<Blocking>('all');
  const [stationId, setStationId] = useState<number | undefined>(undefined);
  const [opened, setOpened] = useState<BillRunException | null>(null);
  const filter: BillRunExceptionFilter = { kind, blocking: blocking === 'all' ? undefined : blocking === 'blocking', stationId };
  const list = useBillRunExceptions(run.id, filter);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const tree = useOrgTree();
  const stations = useMemo(() => new Map((tree.data?.stations ?? []).map((s) => [s.id, localName(s)])), [tree.data]);
  const byKind = run.exceptionsByKind ?? [];

  return (
    <Card
      size="small"
      title={
        <Space size={8}>
          <span>{t('billing.exceptions.title')}</span>
          <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
            {t('billing.exceptions.count', { n: count(run.counts.exceptions) })}
          </Typography.Text>
        </Space>
      }
      data-testid="run-exceptions"
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {byKind.length > 0 && (
          <Space size={[6, 6]} wrap data-testid="exception-kinds">
            {byKind.map((k) => (
              <Tag.CheckableTag key={k.kind} checked={kind === k.kind} onChange={(on) => setKind(on ? k.kind : undefined)} style={{ border: '1px solid #d9d9d9' }}>
                <span style={{ color: k.blocking && kind !== k.kind ? '#cf1322' : undefined }}>{exceptionKind(t, k.kind)}</span> <b className="num">{count(k.count)}</b>
              </Tag.CheckableTag>
            ))}
          </Space>
        )}
        <Space wrap>
          <Select
            allowClear
            style={{ width: 220 }}
            placeholder={t('billing.exceptions.anyKind')}
            value={kind}
            onChange={(v: string | undefined) => setKind(v)}
            options={byKind.map((k) => ({ value: k.kind, label: `${exceptionKind(t, k.kind)} (${count(k.count)})` }))}
            data-testid="exception-kind-filter"
          />
          <Segmented<Blocking>
            value={blocking}
            onChange={setBlocking}
            options={[
              { value: 'all', label: t('billing.exceptions.all') },
              { value: 'blocking', label: t('billing.exceptions.blocking') },
              { value: 'review', label: t('billing.exceptions.review') },
            ]}
          />
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('billing.exceptions.anyStation')}
            value={stationId}
            onChange={(v: number | undefined) => setStationId(v)}
            options={[...stations].map(([id, name]) => ({ value: id, label: name }))}
          />
        </Space>
        {run.counts.exceptions === 0 ? (
          <Empty description={t('billing.exceptions.none')} />
        ) : (
          <Table<BillRunException>
            size="small"
            rowKey="id"
            loading={list.isLoading || (list.isFetching && !list.isFetchingNextPage)}
            dataSource={items}
            pagination={false}
            scroll={{ x: 900, y: 520 }}
            onRow={() => ({ 'data-testid': 'exception-row' }) as HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t('billing.exceptions.kind'),
                dataIndex: 'kind',
                width: 150,
                render: (k: string, e) => (
                  <Tag color={e.blocking ? 'red' : 'orange'} style={{ marginInlineEnd: 0 }}>
                    {exceptionKind(t, k)}
                  </Tag>
                ),
              },
              {
                title: t('billing.exceptions.accountNo'),
                dataIndex: 'accountNo',
                width: 130,
                render: (no: string, e) => (
                  <Link to={`/accounts/${e.accountId}`} className="mono" data-testid="exception-account">
                    {no}
                  </Link>
                ),
              },
              { title: t('billing.exceptions.name'), dataIndex: 'accountName', width: 160, ellipsis: true },
              { title: t('billing.exceptions.station'), dataIndex: 'stationId', width: 120, render: (id: number) => stations.get(id) ?? id },
              {
                title: t('billing.exceptions.detail'),
                key: 'detail',
                render: (_: unknown, e) => {
                  const text = exceptionDetail(t, e);
                  const message = exceptionMessage(e);
                  return message && message !== text ? (
                    <Tooltip title={message}>
                      <span>{text}</span>
                    </Tooltip>
                  ) : (
                    <span>{text}</span>
                  );
                },
              },
              {
                title: t('billing.exceptions.bill'),
                dataIndex: 'billId',
                width: 96,
                render: (id: number | null, e) =>
                  id ? (
                    <Button size="small" type="link" style={{ padding: 0 }} onClick={() => setOpened(e)}>
                      {t('billing.exceptions.openBill')}
                    </Button>
                  ) : (
                    <Typography.Text type="danger">{t('billing.exceptions.noBill')}</Typography.Text>
                  ),
              },
            ]}
          />
        )}
        {list.hasNextPage && (
          <div style={{ textAlign: 'center' }}>
            <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="exceptions-more">
              {t('billing.loadMore')}
            </Button>
          </div>
        )}
      </Space>
      <BillDrawer billId={opened?.billId ?? null} account={opened ? { no: opened.accountNo, name: opened.accountName } : undefined} onClose={() => setOpened(null)} />
    </Card>
  );
}
