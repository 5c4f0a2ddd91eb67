import { CloudUploadOutlined, DeleteOutlined, DownloadOutlined, FundOutlined, SendOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Empty, Popconfirm, Row, Skeleton, Space, Table, Tag, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { dateTime } from '../../format';
import { fieldProblems, priceTableFileUrl, useDiscardPriceTable, useImportPriceTable, usePriceTable, usePriceTables, usePublishPriceTable, type PriceRow, type PriceTable, type PriceTableSummary } from './api';
import { authorName, StatusTag } from './CataloguePage';
import { ProblemList } from './ProblemList';
import { canManageTariffs } from './roles';
import { addDecimals } from './VersionView';

const COMPONENTS = ['agent', 'lineLoss', 'td', 'systemOps', 'funds'] as const;

/** 代理购电价格: the months' tables, one month's rows, import from CSV/xlsx, publish. */
export function AgentPricesPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tables = usePriceTables();
  const selectedId = Number(params.get('table')) || null;
  const table = usePriceTable(selectedId);
  const me = useMe();
  const canWrite = canManageTariffs(me.data?.role);

  useEffect(() => {
    document.title = `${t('tariffs.agent.title')} · ${t('app.name')}`;
  }, [t]);
  useEffect(() => {
    const first = tables.data?.items[0];
    if (!selectedId && first) setParams({ table: String(first.id) }, { replace: true });
  }, [tables.data, selectedId, setParams]);

  return (
    <Row gutter={16} wrap={false} style={{ alignItems: 'flex-start' }}>
      <Col flex="330px" style={{ minWidth: 0 }}>
        <Card title={t('tariffs.agent.title')} variant="borderless" styles={{ body: { padding: 0 } }}>
          <Table<PriceTableSummary>
            size="small"
            rowKey="id"
            loading={tables.isLoading}
            dataSource={tables.data?.items ?? []}
            pagination={{ pageSize: 14, size: 'small', showSizeChanger: false }}
            onRow={(r) => ({ onClick: () => setParams({ table: String(r.id) }), style: { cursor: 'pointer' } })}
            rowClassName={(r) => (r.id === selectedId ? 'ant-table-row-selected' : '')}
            columns={[
              { title: t('tariffs.agent.month'), dataIndex: 'month', render: (m: string) => <span className="num">{m}</span> },
              { title: t('tariffs.catalogue.status'), dataIndex: 'status', render: (s: PriceTableSummary['status'], r) => (
                <Space size={4}>
                  <StatusTag status={s} />
                  {r.late && <Tag color="orange">{t('tariffs.agent.late')}</Tag>}
                </Space>
              ) },
              { title: t('tariffs.agent.source'), dataIndex: 'source', width: 76, render: (s: string) => t(`tariffs.agent.sources.${s}`) },
            ]}
            data-testid="price-tables"
          />
        </Card>
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 16, minWidth: 0 }}>
          {canWrite && <ImportCard nextMonth={nextMonth(tables.data?.items ?? [])} onImported={(id) => setParams({ table: String(id) })} />}
          {table.data ? (
            <TableCard table={table.data} canWrite={canWrite} />
          ) : (
            <Card variant="borderless">{table.isLoading ? <Skeleton active /> : <Empty description={t('tariffs.agent.pick')} />}</Card>
          )}
        </div>
      </Col>
    </Row>
  );
}

/** The month after the latest published one: the table to prepare next. */
function nextMonth(items: PriceTableSummary[]): string {
  const latest = items.filter((x) => x.status === 'published').map((x) => x.month).sort().at(-1);
  return latest ? dayjs(`${latest}-01`).add(1, 'month').format('YYYY-MM') : dayjs().add(1, 'month').format('YYYY-MM');
}

function ImportCard({ nextMonth: suggested, onImported }: { nextMonth: string; onImported: (id: number) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [month, setMonth] = useState<Dayjs>(dayjs(`${suggested}-01`));
  useEffect(() => setMonth(dayjs(`${suggested}-01`)), [suggested]);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const importer = useImportPriceTable();
  const problems = fieldProblems(importer.error);
  const file = files[0]?.originFileObj;

  const run = () => {
    if (!file) return;
    importer.mutate(
      { month: month.format('YYYY-MM'), file },
      {
        onSuccess: (tbl) => {
          void message.success(t('tariffs.agent.imported', { month: tbl.month, rows: tbl.rowCount }));
          setFiles([]);
          onImported(tbl.id);
        },
      },
    );
  };

  return (
    <Card title={t('tariffs.agent.import')} variant="borderless" size="small">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('tariffs.agent.importHelp')}
        </Typography.Text>
        <Space wrap>
          <span>{t('tariffs.agent.importMonth')}</span>
          <DatePicker picker="month" value={month} onChange={(d) => d && setMonth(d)} allowClear={false} data-testid="import-month" />
          <Upload
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            maxCount={1}
            fileList={files}
            beforeUpload={() => false}
            onChange={(info) => {
              setFiles(info.fileList.slice(-1));
              importer.reset();
            }}
          >
            <Button icon={<CloudUploadOutlined />} data-testid="import-file">
              {t('tariffs.agent.chooseFile')}
            </Button>
          </Upload>
          <Button type="primary" disabled={!file} loading={importer.isPending} onClick={run} data-testid="import-submit">
            {t('tariffs.agent.import')}
          </Button>
        </Space>
        {problems && <ProblemList title={t('tariffs.agent.importFailed', { count: problems.length })} problems={problems} testId="import-problems" />}
        {importer.error && !problems && <Alert type="error" showIcon title={describeError(importer.error)} />}
        {importer.data?.ignoredColumns?.length ? <Alert type="info" showIcon title={t('tariffs.agent.ignoredColumns', { columns: importer.data.ignoredColumns.join('、') })} /> : null}
      </Space>
    </Card>
  );
}

function TableCard({ table, canWrite }: { table: PriceTable; canWrite: boolean }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const [, setParams] = useSearchParams();
  const publish = usePublishPriceTable();
  const discard = useDiscardPriceTable();
  const draft = table.status === 'draft';
  const today = dayjs().format('YYYY-MM-DD');
  const lateNow = draft && today > table.deadline;

  const doPublish = () =>
    publish.mutate(table.id, {
      onSuccess: (p) => void (p.late ? message.warning(t('tariffs.agent.publishedLate', { month: p.month })) : message.success(t('tariffs.agent.published', { month: p.month }))),
    });
  const confirmPublish = () =>
    void modal.confirm({
      title: t('tariffs.agent.publish'),
      icon: lateNow ? <WarningOutlined style={{ color: '#fa8c16' }} /> : undefined,
      content: lateNow ? t('tariffs.agent.publishLateConfirm', { deadline: table.deadline }) : t('tariffs.agent.publishConfirm', { month: table.month }),
      onOk: doPublish,
    });

  const total = (r: PriceRow) => COMPONENTS.reduce((sum, c) => addDecimals(sum, r[c]), '0');
  return (
    <Card
      variant="borderless"
      title={
        <Space size={10}>
          <span className="num">{table.month}</span>
          <StatusTag status={table.status} />
          {table.late && <Tag color="orange">{t('tariffs.agent.late')}</Tag>}
        </Space>
      }
      extra={
        <Space wrap>
          <Button icon={<DownloadOutlined />} href={priceTableFileUrl(table.id, 'xlsx')}>
            {t('tariffs.agent.downloadXlsx')}
          </Button>
          <Button icon={<DownloadOutlined />} href={priceTableFileUrl(table.id, 'csv')}>
            {t('tariffs.agent.downloadCsv')}
          </Button>
          {draft && (
            <Button icon={<FundOutlined />} onClick={() => navigate(`/tariffs/impact?table=${table.id}`)} data-testid="table-impact">
              {t('tariffs.agent.impact')}
            </Button>
          )}
          {canWrite && draft && (
            <Popconfirm title={t('tariffs.agent.discardConfirm', { month: table.month })} onConfirm={() => discard.mutate(table.id, { onSuccess: () => setParams({}) })}>
              <Button danger icon={<DeleteOutlined />} loading={discard.isPending}>
                {t('tariffs.agent.discard')}
              </Button>
            </Popconfirm>
          )}
          {canWrite && draft && (
            <Button type="primary" icon={<SendOutlined />} loading={publish.isPending} onClick={confirmPublish} data-testid="publish-table">
              {t('tariffs.agent.publish')}
            </Button>
          )}
        </Space>
      }
    >
      <Descriptions
        size="small"
        column={2}
        style={{ marginBottom: 12 }}
        items={[
          { key: 'deadline', label: t('tariffs.agent.publication'), children: draft ? t('tariffs.agent.deadline', { date: table.deadline }) : t('tariffs.agent.publishedOn', { date: table.definition.publishedOn ?? '—' }) },
          { key: 'source', label: t('tariffs.agent.source'), children: t(`tariffs.agent.sources.${table.source}`) },
          { key: 'by', label: '', children: <Typography.Text type="secondary">{t('tariffs.catalogue.createdBy', { name: authorName(t, table.createdByName), at: dateTime(table.createdAt) })}{table.publishedAt && ` · ${t('tariffs.catalogue.publishedBy', { name: authorName(t, table.publishedByName ?? ''), at: dateTime(table.publishedAt) })}`}</Typography.Text>, span: 2 },
        ]}
      />
      {table.late && <Alert type="warning" showIcon title={t('tariffs.agent.lateNote')} style={{ marginBottom: 12 }} />}
      {lateNow && <Alert type="warning" showIcon title={t('tariffs.agent.publishLateConfirm', { deadline: table.deadline })} style={{ marginBottom: 12 }} />}
      <Table<PriceRow>
        size="small"
        rowKey={(r) => `${r.voltage} ${r.column}`}
        pagination={false}
        dataSource={table.definition.rows}
        scroll={{ x: 760 }}
        columns={[
          { title: t('tariffs.agent.voltage'), dataIndex: 'voltage', width: 90, fixed: 'left' },
          { title: t('tariffs.agent.column'), dataIndex: 'column', width: 100, render: (c: string) => t(`tariffs.column.${c}`) },
          ...COMPONENTS.map((c) => ({ title: t(`tariffs.component.${c}`), dataIndex: c, align: 'right' as const, render: (v: string) => <span className="num">{v}</span> })),
          { title: t('tariffs.agent.totalPrice'), key: 'total', align: 'right' as const, render: (_: unknown, r: PriceRow) => <b className="num">{total(r)}</b> },
        ]}
        data-testid="price-rows"
      />
      {table.comparison && <Comparison comparison={table.comparison} />}
    </Card>
  );
}

function Comparison({ comparison: c }: { comparison: NonNullable<PriceTable['comparison']> }) {
  const { t } = useTranslation();
  return (
    <div style={{ marginTop: 16 }}>
      <Typography.Text strong>{t('tariffs.agent.comparison', { month: c.month })}</Typography.Text>
      {c.missingRows.length > 0 && <Alert type="warning" showIcon style={{ margin: '8px 0' }} title={t('tariffs.agent.missingRows', { month: c.month, rows: c.missingRows.join('、') })} />}
      {c.changes.length === 0 ? (
        <div>{t('tariffs.agent.noChanges')}</div>
      ) : (
        <Table
          size="small"
          style={{ marginTop: 8 }}
          pagination={false}
          rowKey={(r) => `${r.voltage} ${r.column} ${r.component}`}
          dataSource={c.changes}
          scroll={{ y: 240 }}
          columns={[
            { title: t('tariffs.agent.voltage'), dataIndex: 'voltage', width: 90 },
            { title: t('tariffs.agent.column'), dataIndex: 'column', width: 80, render: (v: string) => t(`tariffs.column.${v}`) },
            { title: t('tariffs.agent.componentCol'), dataIndex: 'component', render: (v: string) => t(`tariffs.component.${v}`) },
            { title: t('tariffs.agent.from'), dataIndex: 'from', align: 'right', render: (v: string) => <span className="num">{v}</span> },
            { title: t('tariffs.agent.to'), dataIndex: 'to', align: 'right', render: (v: string) => <span className="num">{v}</span> },
          ]}
        />
      )}
    </div>
  );
}
