import { CalculatorOutlined, DeleteOutlined, FundOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Col, Divider, Empty, Popconfirm, Row, Skeleton, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useMe } from '../../api/queries';
import { dateTime } from '../../format';
import { useCatalogue, useDiscardVersion, usePublishVersion, useVersion, type CatalogueItem, type Version, type VersionSummary } from './api';
import { DraftVersionModal } from './DraftVersionModal';
import { canManageTariffs } from './roles';
import { VersionView } from './VersionView';

/** 电价目录: every code with its versions (draft and published), and the chosen version's prices. */
export function CataloguePage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const catalogue = useCatalogue();
  const selectedId = Number(params.get('version')) || null;
  const version = useVersion(selectedId);
  const me = useMe();
  const canWrite = canManageTariffs(me.data?.role);
  const [draftFrom, setDraftFrom] = useState<string | null>(null);

  useEffect(() => {
    document.title = `${t('tariffs.catalogue.title')} · ${t('app.name')}`;
  }, [t]);
  // Nothing chosen: show the first code's version in effect.
  useEffect(() => {
    const first = catalogue.data?.items[0];
    if (!selectedId && first) setParams({ version: String(first.currentVersionId ?? first.versions.at(-1)!.id) }, { replace: true });
  }, [catalogue.data, selectedId, setParams]);

  const rows = catalogue.data?.items ?? [];
  const columns: ColumnsType<CatalogueItem> = [
    {
      title: t('tariffs.catalogue.code'),
      dataIndex: 'code',
      render: (code: string, item) => (
        <Space orientation="vertical" size={2}>
          <span style={{ fontWeight: 600 }}>{item.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`tariffs.kind.${item.kind}`, { defaultValue: item.kind })} · <span className="mono">{code}</span>
          </Typography.Text>
          <Space size={[4, 4]} wrap>
            {[...item.versions].reverse().map((v) => (
              <Tag
                key={v.id}
                color={v.id === selectedId ? 'processing' : v.status === 'draft' ? 'warning' : v.id === item.currentVersionId ? 'success' : 'default'}
                style={{ cursor: 'pointer', marginInlineEnd: 0 }}
                onClick={(e) => {
                  e.stopPropagation();
                  setParams({ version: String(v.id) });
                }}
                data-testid={`version-${v.id}`}
              >
                <span className="num">{v.effectiveFrom}</span>
                {v.status === 'draft' ? ` ${t('tariffs.status.draft')}` : v.id === item.currentVersionId ? ` ${t('tariffs.catalogue.current')}` : ''}
              </Tag>
            ))}
          </Space>
        </Space>
      ),
    },
  ];

  return (
    <Row gutter={16} wrap={false} style={{ alignItems: 'flex-start' }}>
      <Col flex="380px" style={{ minWidth: 0 }}>
        <Card
          title={t('tariffs.catalogue.title')}
          variant="borderless"
          extra={
            canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDraftFrom(JSON.stringify(version.data?.definition ?? {}, null, 2))} data-testid="new-draft">
                {t('tariffs.catalogue.newDraft')}
              </Button>
            )
          }
          styles={{ body: { padding: 0 } }}
        >
          <Table<CatalogueItem>
            size="small"
            rowKey="code"
            loading={catalogue.isLoading}
            dataSource={rows}
            columns={columns}
            pagination={false}
            showHeader={false}
            rowClassName={(item) => (item.versions.some((v) => v.id === selectedId) ? 'ant-table-row-selected' : '')}
            onRow={(item) => ({ onClick: () => setParams({ version: String(item.currentVersionId ?? item.versions.at(-1)!.id) }), style: { cursor: 'pointer' }, 'data-testid': `catalogue-row-${item.code}` }) as React.HTMLAttributes<HTMLElement>}
            data-testid="catalogue"
          />
          {catalogue.data && (
            <Typography.Text type="secondary" style={{ display: 'block', padding: '8px 12px', fontSize: 12 }}>
              {t('tariffs.catalogue.today', { date: catalogue.data.today })}
            </Typography.Text>
          )}
        </Card>
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        {version.data ? (
          <VersionCard
            v={version.data}
            versions={rows.find((i) => i.code === version.data!.code)?.versions ?? []}
            currentId={rows.find((i) => i.code === version.data!.code)?.currentVersionId ?? null}
            canWrite={canWrite}
            onCopy={() => setDraftFrom(JSON.stringify(version.data!.definition, null, 2))}
          />
        ) : (
          <Card variant="borderless">{version.isLoading ? <Skeleton active /> : <Empty description={t('tariffs.catalogue.pick')} />}</Card>
        )}
      </Col>
      <DraftVersionModal
        open={draftFrom !== null}
        initial={draftFrom ?? ''}
        onClose={() => setDraftFrom(null)}
        onSaved={(v) => {
          setDraftFrom(null);
          setParams({ version: String(v.id) });
        }}
      />
    </Row>
  );
}

export function StatusTag({ status }: { status: 'draft' | 'published' }) {
  const { t } = useTranslation();
  return status === 'draft' ? <Badge status="warning" text={t('tariffs.status.draft')} /> : <Badge status="success" text={t('tariffs.status.published')} />;
}

function VersionCard({ v, versions, currentId, canWrite, onCopy }: { v: Version; versions: VersionSummary[]; currentId: number | null; canWrite: boolean; onCopy: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [, setParams] = useSearchParams();
  const publish = usePublishVersion();
  const discard = useDiscardVersion();
  const draft = v.status === 'draft';
  const afterDiscard = () => {
    void message.success(t('tariffs.catalogue.discarded'));
    setParams({});
  };

  return (
    <Card
      variant="borderless"
      title={
        <Space size={10} wrap>
          <span>{v.name}</span>
          <StatusTag status={v.status} />
        </Space>
      }
    >
      <Space wrap>
        <Button icon={<CalculatorOutlined />} onClick={() => navigate(`/tariffs/quote?code=${encodeURIComponent(v.code)}`)}>
          {t('tariffs.catalogue.quote')}
        </Button>
        {draft && (
          <Button icon={<FundOutlined />} onClick={() => navigate(`/tariffs/impact?version=${v.id}`)} data-testid="version-impact">
            {t('tariffs.catalogue.impact')}
          </Button>
        )}
        {canWrite && <Button onClick={onCopy}>{t('tariffs.catalogue.copyAsDraft')}</Button>}
        {canWrite && draft && (
          <Popconfirm
            title={t('tariffs.catalogue.discardConfirm')}
            onConfirm={() => discard.mutate(v.id, { onSuccess: () => afterDiscard() })}
          >
            <Button danger icon={<DeleteOutlined />} loading={discard.isPending}>
              {t('tariffs.catalogue.discard')}
            </Button>
          </Popconfirm>
        )}
        {canWrite && draft && (
          <Popconfirm
            title={t('tariffs.catalogue.publishConfirm', { code: v.code, date: v.effectiveFrom })}
            onConfirm={() => publish.mutate(v.id, { onSuccess: () => void message.success(t('tariffs.catalogue.published')) })}
          >
            <Button type="primary" icon={<SendOutlined />} loading={publish.isPending} data-testid="publish-version">
              {t('tariffs.catalogue.publish')}
            </Button>
          </Popconfirm>
        )}
      </Space>
      <Divider style={{ margin: '12px 0' }} />
      <Space orientation="vertical" size={4} style={{ marginBottom: 12 }}>
        <Space size={16} wrap>
          <span>
            {t('tariffs.catalogue.code')}: <span className="mono">{v.code}</span>
          </span>
          <span>
            {t('tariffs.catalogue.effectiveFrom')}: <b className="num">{v.effectiveFrom}</b>
          </span>
          <span>
            {t('tariffs.catalogue.kind')}: {t(`tariffs.kind.${v.kind}`)}
          </span>
        </Space>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('tariffs.catalogue.createdBy', { name: authorName(t, v.createdByName), at: dateTime(v.createdAt) })}
          {v.publishedAt && ` · ${t('tariffs.catalogue.publishedBy', { name: authorName(t, v.publishedByName ?? ''), at: dateTime(v.publishedAt) })}`}
        </Typography.Text>
      </Space>
      <Table<VersionSummary>
        size="small"
        rowKey="id"
        pagination={false}
        style={{ marginBottom: 16 }}
        data-testid="version-list"
        dataSource={[...versions].reverse()}
        rowClassName={(x) => (x.id === v.id ? 'ant-table-row-selected' : '')}
        onRow={(x) => ({ onClick: () => setParams({ version: String(x.id) }), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('tariffs.catalogue.effectiveFrom'), dataIndex: 'effectiveFrom', render: (d: string) => <span className="num">{d}</span> },
          { title: t('tariffs.catalogue.name'), dataIndex: 'name' },
          {
            title: t('tariffs.catalogue.status'),
            dataIndex: 'status',
            render: (s: VersionSummary['status'], x) => (
              <Space size={4}>
                <StatusTag status={s} />
                {x.id === currentId && <Tag color="success">{t('tariffs.catalogue.current')}</Tag>}
              </Space>
            ),
          },
          { title: t('tariffs.catalogue.publishedByShort'), dataIndex: 'publishedByName', render: (n: string | null, x) => (x.publishedAt ? `${authorName(t, n ?? '')} · ${dateTime(x.publishedAt)}` : '—') },
        ]}
      />
      <VersionView definition={v.definition} />
    </Card>
  );
}

/** Rows the start-up seed wrote carry the author "seed": shown as 初始数据. */
export function authorName(t: (k: string) => string, name: string): string {
  return name === 'seed' ? t('tariffs.agent.sources.seed') : name;
}
