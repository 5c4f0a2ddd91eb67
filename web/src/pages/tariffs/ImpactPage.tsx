import { DownloadOutlined, FundOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Empty, InputNumber, Row, Select, Skeleton, Space, Statistic, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { CATEGORY_COLORS, label } from '../../format';
import { impactXlsxUrl, useCatalogue, useImpact, usePriceTables, type Affected, type DraftRef, type Impact } from './api';
import { percent, yuan } from './money';

// ECharts loads with this page only.
const ImpactHistogram = lazy(() => import('./ImpactCharts'));

const refOf = (params: URLSearchParams): DraftRef | null => {
  const version = Number(params.get('version'));
  const table = Number(params.get('table'));
  if (version > 0) return { kind: 'version', id: version };
  if (table > 0) return { kind: 'table', id: table };
  return null;
};

/** 调价影响: a draft's effect on the last cycle of every account in scope — totals, two histograms, the visit list. */
export function ImpactPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const ref = refOf(params);
  const top = Math.min(Math.max(Number(params.get('top')) || 50, 1), 10000);
  const [topInput, setTopInput] = useState(top);
  const catalogue = useCatalogue();
  const tables = usePriceTables();
  const impact = useImpact(ref, top);

  useEffect(() => {
    document.title = `${t('tariffs.impact.title')} · ${t('app.name')}`;
  }, [t]);

  const drafts = useMemo(() => {
    const versions = (catalogue.data?.items ?? []).flatMap((i) => i.versions.filter((v) => v.status === 'draft')).map((v) => ({ value: `version:${v.id}`, label: t('tariffs.impact.versionDraft', { code: v.code, date: v.effectiveFrom }) }));
    const months = (tables.data?.items ?? []).filter((x) => x.status === 'draft').map((x) => ({ value: `table:${x.id}`, label: t('tariffs.impact.tableDraft', { month: x.month }) }));
    return [...versions, ...months];
  }, [catalogue.data, tables.data, t]);
  const selected = ref ? `${ref.kind}:${ref.id}` : undefined;

  return (
    // A flex column rather than Space: its items would grow to the wide table instead of the page.
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16, minWidth: 0 }}>
      <Card title={t('tariffs.impact.title')} variant="borderless">
        <Typography.Paragraph type="secondary">{t('tariffs.impact.hint')}</Typography.Paragraph>
        <Space wrap>
          <span>{t('tariffs.impact.draft')}</span>
          <Select
            style={{ minWidth: 360 }}
            placeholder={t('tariffs.impact.pickDraft')}
            value={selected}
            options={drafts}
            onChange={(v: string) => {
              const [kind, id] = v.split(':');
              setParams({ [kind === 'version' ? 'version' : 'table']: id!, top: String(top) });
            }}
            notFoundContent={t('tariffs.impact.noDrafts')}
            data-testid="impact-draft"
          />
          <span>{t('tariffs.impact.top')}</span>
          <InputNumber min={1} max={10000} value={topInput} onChange={(v) => setTopInput(v ?? 50)} style={{ width: 100 }} />
          <Button type="primary" icon={<FundOutlined />} disabled={!ref} loading={impact.isFetching} onClick={() => ref && setParams({ [ref.kind === 'version' ? 'version' : 'table']: String(ref.id), top: String(topInput) })}>
            {t('tariffs.impact.run')}
          </Button>
          <Button icon={<DownloadOutlined />} disabled={!impact.data} href={ref ? impactXlsxUrl(ref, top) : undefined} data-testid="impact-xlsx">
            {t('tariffs.impact.download')}
          </Button>
        </Space>
        {drafts.length === 0 && catalogue.data && tables.data && (
          <Alert
            style={{ marginTop: 12 }}
            type="info"
            showIcon
            title={
              <>
                {t('tariffs.impact.noDrafts')} <Link to="/tariffs">{t('menu.tariffCatalogue')}</Link> · <Link to="/tariffs/agent-prices">{t('menu.agentPrices')}</Link>
              </>
            }
          />
        )}
      </Card>
      {ref && impact.isLoading && (
        <Card variant="borderless">
          <Skeleton active />
        </Card>
      )}
      {impact.data && <ImpactReport impact={impact.data} />}
      {!ref && <Empty description={t('tariffs.impact.pickDraft')} />}
    </div>
  );
}

function ImpactReport({ impact: r }: { impact: Impact }) {
  const { t } = useTranslation();
  const changeColor = r.totals.changeFen > 0 ? '#cf1322' : r.totals.changeFen < 0 ? '#389e0d' : undefined;
  return (
    <>
      <Card variant="borderless" data-testid="impact-summary">
        <Row gutter={[16, 16]}>
          <Col xs={12} lg={4}>
            <Statistic title={t('tariffs.impact.rated')} value={r.accounts.rated} suffix={<Typography.Text type="secondary" style={{ fontSize: 13 }}>/ {r.accounts.considered}</Typography.Text>} />
          </Col>
          <Col xs={12} lg={5}>
            <Statistic title={`${t('tariffs.impact.before')} (${t('tariffs.impact.yuanUnit')})`} value={yuan(r.totals.beforeFen)} />
          </Col>
          <Col xs={12} lg={5}>
            <Statistic title={`${t('tariffs.impact.after')} (${t('tariffs.impact.yuanUnit')})`} value={yuan(r.totals.afterFen)} />
          </Col>
          <Col xs={12} lg={5}>
            <Statistic title={`${t('tariffs.impact.change')} (${t('tariffs.impact.yuanUnit')})`} value={yuan(r.totals.changeFen, { sign: true })} suffix={<span style={{ fontSize: 14 }}>{percent(r.totals.changePercent)}</span>} styles={{ content: { color: changeColor } }} />
          </Col>
          <Col xs={24} lg={5}>
            <Space orientation="vertical" size={2} style={{ fontSize: 13 }}>
              <span>
                <Tag color="red">{t('tariffs.impact.increased')} {r.accounts.increased}</Tag>
                <Tag color="green">{t('tariffs.impact.decreased')} {r.accounts.decreased}</Tag>
                <Tag>{t('tariffs.impact.unchanged')} {r.accounts.unchanged}</Tag>
              </span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('tariffs.impact.noUsage')} {r.accounts.noUsage} · {t('tariffs.impact.notAffected')} {r.accounts.notAffected} · {t('tariffs.impact.notRated')} {r.accounts.notRated}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t(`tariffs.impact.scope.${r.scope}`)} · {t('tariffs.impact.periods')} {r.periods.map((p) => p.period).join('、') || '—'} · {t('tariffs.impact.elapsed', { ms: r.elapsedMs })}
              </Typography.Text>
            </Space>
          </Col>
        </Row>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card title={t('tariffs.impact.byAmount')} variant="borderless" size="small">
            <Suspense fallback={<Skeleton active />}>
              <ImpactHistogram buckets={r.histogramFen} unit="yuan" testId="impact-histogram-fen" />
            </Suspense>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('tariffs.impact.byPercent')} variant="borderless" size="small" extra={r.noBase ? <Typography.Text type="secondary">{t('tariffs.impact.noBase', { count: r.noBase })}</Typography.Text> : null}>
            <Suspense fallback={<Skeleton active />}>
              <ImpactHistogram buckets={r.histogramPercent} unit="percent" testId="impact-histogram-percent" />
            </Suspense>
          </Card>
        </Col>
      </Row>
      {r.problems.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('tariffs.impact.problems')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {r.problems.map((p) => (
                <li key={p.field}>
                  <code>{p.field}</code> — {p.message} ({t('tariffs.impact.count')} {p.count}; {t('tariffs.impact.example')} {p.accountNo})
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Card title={t('tariffs.impact.topTitle')} variant="borderless" styles={{ body: { padding: 0 } }}>
        <TopTable rows={r.top} />
      </Card>
    </>
  );
}

function TopTable({ rows }: { rows: Affected[] }) {
  const { t } = useTranslation();
  return (
    <Table<Affected>
      size="small"
      rowKey="accountId"
      dataSource={rows}
      pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
      scroll={{ x: 'max-content' }}
      data-testid="impact-top"
      columns={[
        { title: '#', key: 'n', width: 40, render: (_: unknown, __: Affected, i: number) => i + 1 },
        { title: t('tariffs.impact.account'), dataIndex: 'accountNo', width: 108, render: (v: string, r) => <Link to={`/accounts/${r.accountId}`} className="mono">{v}</Link> },
        { title: t('tariffs.impact.name'), dataIndex: 'name', width: 150, ellipsis: true },
        { title: t('column.category'), dataIndex: 'category', width: 86, render: (v: string) => <Tag color={CATEGORY_COLORS[v]}>{label(t, 'category', v)}</Tag> },
        { title: t('tariffs.impact.station'), dataIndex: 'stationName', width: 96, ellipsis: true },
        { title: t('tariffs.impact.area'), dataIndex: 'areaName', width: 116, ellipsis: true },
        { title: t('tariffs.impact.manager'), dataIndex: 'managerName', width: 80, ellipsis: true },
        { title: t('tariffs.impact.phone'), dataIndex: 'phone', width: 108, render: (v: string | null) => <span className="mono">{v ?? '—'}</span> },
        { title: t('tariffs.impact.before'), dataIndex: 'beforeFen', width: 100, align: 'right', render: (f: number) => <span className="num">{yuan(f)}</span> },
        { title: t('tariffs.impact.after'), dataIndex: 'afterFen', width: 100, align: 'right', render: (f: number) => <span className="num">{yuan(f)}</span> },
        {
          title: t('tariffs.impact.change'),
          dataIndex: 'changeFen',
          width: 100,
          align: 'right',
          render: (f: number) => (
            <b className="num" style={{ color: f > 0 ? '#cf1322' : f < 0 ? '#389e0d' : undefined }}>
              {yuan(f, { sign: true })}
            </b>
          ),
        },
        { title: '%', dataIndex: 'changePercent', width: 70, align: 'right', render: (p: string | null) => <span className="num">{percent(p)}</span> },
      ]}
    />
  );
}
