import { DownloadOutlined, InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Descriptions, Modal, Result, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { label } from '../../format';
import { businessToday } from '../billing/run-state';
import { fieldProblems } from '../tariffs/api';
import { yuan } from '../tariffs/money';
import { ChannelTag, Yuan } from '../payments/parts';
import { canManageReconciliation, canViewReconciliation } from '../payments/roles';
import { RECON_CHANNELS, reconDaysXlsxUrl, useImportStatement, useReconDays, type DayRow, type ImportResult, type ReconChannel } from './api';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The default report: the last 30 days up to today, on the business calendar (Asia/Shanghai) as payments are dated. */
function defaultRange(): [string, string] {
  const to = businessToday();
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  return [from, to];
}

/**
 * 对账: per channel and day, the statement against the ledger (counts and sums), how the items matched
 * (matched / 仅渠道有 / 仅账务有 / 金额不符) and what is still to review; a row opens the day's items.
 * Marketing and admin import statements; everyone here may download the report as xlsx.
 */
export function ReconciliationPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const role = useMe().data?.role;
  const [params, setParams] = useSearchParams();
  const [defFrom, defTo] = defaultRange();
  const from = DATE.test(params.get('from') ?? '') ? params.get('from')! : defFrom;
  const to = DATE.test(params.get('to') ?? '') ? params.get('to')! : defTo;
  const channelParam = params.get('channel');
  const channel = (RECON_CHANNELS as readonly string[]).includes(channelParam ?? '') ? (channelParam as ReconChannel) : undefined;
  const filter = useMemo(() => ({ from, to, channel }), [from, to, channel]);
  const allowed = canViewReconciliation(role);
  const days = useReconDays(filter, allowed);
  const [importing, setImporting] = useState(false);
  const rows = days.data?.items ?? [];
  const totals = useMemo(() => sum(rows), [rows]);

  useEffect(() => {
    document.title = `${t('recon.title')} · ${t('app.name')}`;
  }, [t]);

  if (!allowed || (days.error instanceof ApiError && days.error.status === 403)) {
    return <Result status="403" title={t('recon.forbiddenTitle')} subTitle={t('recon.forbidden')} data-testid="recon-forbidden" />;
  }
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  return (
    <Card
      variant="borderless"
      title={t('recon.title')}
      extra={
        <Space wrap>
          {canManageReconciliation(role) && (
            <Button type="primary" icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="recon-import">
              {t('recon.import')}
            </Button>
          )}
          <Button icon={<DownloadOutlined />} href={reconDaysXlsxUrl(filter)} data-testid="recon-xlsx">
            {t('recon.xlsx')}
          </Button>
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <DatePicker.RangePicker
          value={[dayjs(from), dayjs(to)]}
          allowClear={false}
          disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          onChange={(range) => range?.[0] && range[1] && set({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') })}
          presets={[
            { label: t('recon.last7'), value: [dayjs().subtract(6, 'day'), dayjs()] as [Dayjs, Dayjs] },
            { label: t('recon.last30'), value: [dayjs().subtract(29, 'day'), dayjs()] as [Dayjs, Dayjs] },
            { label: t('recon.thisMonth'), value: [dayjs().startOf('month'), dayjs()] as [Dayjs, Dayjs] },
          ]}
          data-testid="recon-range"
        />
        <Select
          allowClear
          placeholder={t('recon.allChannels')}
          style={{ width: 160 }}
          value={channel}
          onChange={(c?: ReconChannel) => set({ channel: c })}
          options={RECON_CHANNELS.map((c) => ({ value: c, label: label(t, 'payments.channel', c) }))}
          data-testid="recon-channel"
        />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('recon.help')}
        </Typography.Text>
      </Space>
      <Table<DayRow>
        size="small"
        className="clickable-rows"
        rowKey={(r) => `${r.channel}/${r.date}`}
        loading={days.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1030 }}
        locale={{ emptyText: t('recon.empty') }}
        onRow={(r) => ({ onClick: () => navigate(`/reconciliation/${r.channel}/${r.date}`), 'data-testid': 'recon-day-row', 'data-channel': r.channel, 'data-date': r.date }) as HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('recon.date'),
            dataIndex: 'date',
            width: 100,
            fixed: 'left',
            render: (d: string, r) => (
              <Link to={`/reconciliation/${r.channel}/${d}`} className="num" onClick={(e) => e.stopPropagation()}>
                {d}
              </Link>
            ),
          },
          { title: t('recon.channel'), dataIndex: 'channel', width: 90, render: (c: string) => <ChannelTag channel={c} /> },
          {
            title: t('recon.statement'),
            children: [
              { title: t('recon.count'), dataIndex: 'statementCount', width: 60, align: 'right', render: (n: number) => <span className="num">{n}</span> },
              { title: t('recon.amount'), dataIndex: 'statementFen', width: 110, align: 'right', render: (f: number) => <Yuan fen={f} /> },
            ],
          },
          {
            title: t('recon.ledger'),
            children: [
              { title: t('recon.count'), dataIndex: 'ledgerCount', width: 60, align: 'right', render: (n: number) => <span className="num">{n}</span> },
              { title: t('recon.amount'), dataIndex: 'ledgerFen', width: 110, align: 'right', render: (f: number) => <Yuan fen={f} /> },
            ],
          },
          {
            title: t('recon.difference'),
            key: 'diff',
            width: 100,
            align: 'right',
            render: (_: unknown, r) => {
              const d = r.statementFen - r.ledgerFen;
              return d === 0 ? <Typography.Text type="success">0.00</Typography.Text> : <Typography.Text type="danger" className="num">{yuan(d, { sign: true })}</Typography.Text>;
            },
          },
          { title: t('recon.status.matched'), dataIndex: 'matched', width: 80, align: 'right', render: (n: number) => <span className="num">{n}</span> },
          { title: t('recon.status.channel_only'), dataIndex: 'channelOnly', width: 80, align: 'right', render: (n: number) => <Count n={n} color="orange" /> },
          { title: t('recon.status.ledger_only'), dataIndex: 'ledgerOnly', width: 80, align: 'right', render: (n: number) => <Count n={n} color="red" /> },
          { title: t('recon.status.amount_mismatch'), dataIndex: 'amountMismatch', width: 80, align: 'right', render: (n: number) => <Count n={n} color="magenta" /> },
          {
            title: t('recon.unresolved'),
            dataIndex: 'unresolved',
            width: 80,
            align: 'right',
            render: (n: number) => (n > 0 ? <Tag color="red" data-testid="recon-unresolved">{n}</Tag> : <Tag color="success">{t('recon.allClear')}</Tag>),
          },
        ]}
        summary={() =>
          rows.length > 1 ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={2}>
                <b>{t('payments.statement.total')}</b>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">
                {totals.statementCount}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={3} align="right">
                <Yuan fen={totals.statementFen} strong />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={4} align="right">
                {totals.ledgerCount}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={5} align="right">
                <Yuan fen={totals.ledgerFen} strong />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={6} align="right">
                {yuan(totals.statementFen - totals.ledgerFen, { sign: true })}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={7} align="right">
                {totals.matched}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={8} align="right">
                {totals.channelOnly}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={9} align="right">
                {totals.ledgerOnly}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={10} align="right">
                {totals.amountMismatch}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={11} align="right">
                {totals.unresolved}
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />
      {importing && <ImportModal defaultChannel={channel} onClose={() => setImporting(false)} />}
    </Card>
  );
}

function Count({ n, color }: { n: number; color: string }) {
  return n > 0 ? <Tag color={color} style={{ marginInlineEnd: 0 }}>{n}</Tag> : <span className="num">0</span>;
}

function sum(rows: DayRow[]) {
  const keys = ['statementCount', 'statementFen', 'ledgerCount', 'ledgerFen', 'matched', 'channelOnly', 'ledgerOnly', 'amountMismatch', 'unresolved'] as const;
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<(typeof keys)[number], number>;
  for (const r of rows) for (const k of keys) out[k] += r[k];
  return out;
}

/** 导入对账单: the channel and the file as downloaded from the merchant platform; the result, or the rows refused. */
function ImportModal({ defaultChannel, onClose }: { defaultChannel?: ReconChannel; onClose: () => void }) {
  const { t } = useTranslation();
  const [channel, setChannel] = useState<ReconChannel | undefined>(defaultChannel);
  const [file, setFile] = useState<File | null>(null);
  const upload = useImportStatement();
  const result = upload.data;
  const problems = fieldProblems(upload.error);

  return (
    <Modal
      open
      title={t('recon.importTitle')}
      onCancel={onClose}
      width={620}
      footer={
        result ? (
          <Button type="primary" onClick={onClose}>
            {t('recon.close')}
          </Button>
        ) : (
          <Space>
            <Button onClick={onClose}>{t('recon.cancel')}</Button>
            <Button type="primary" disabled={!channel || !file} loading={upload.isPending} onClick={() => channel && file && upload.mutate({ channel, file })} data-testid="recon-import-submit">
              {t('recon.importSubmit')}
            </Button>
          </Space>
        )
      }
    >
      {result ? (
        <ImportSummary result={result} />
      ) : (
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          <Select
            placeholder={t('recon.pickChannel')}
            style={{ width: '100%' }}
            value={channel}
            onChange={setChannel}
            options={RECON_CHANNELS.map((c) => ({ value: c, label: `${label(t, 'payments.channel', c)} — ${t(`recon.fileOf.${c}`)}` }))}
            data-testid="recon-import-channel"
          />
          <Upload.Dragger
            accept=".csv,.txt"
            multiple={false}
            maxCount={1}
            beforeUpload={(f) => {
              setFile(f);
              upload.reset();
              return false;
            }}
            onRemove={() => setFile(null)}
            fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
            data-testid="recon-import-file"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('recon.dropFile')}</p>
            <p className="ant-upload-hint">{t('recon.dropHint')}</p>
          </Upload.Dragger>
          {upload.isError && (
            <Alert
              type="error"
              showIcon
              title={describeError(upload.error)}
              description={
                problems ? (
                  <ul style={{ margin: 0, paddingInlineStart: 18, maxHeight: 200, overflow: 'auto' }}>
                    {problems.slice(0, 50).map((p, i) => (
                      <li key={i}>
                        {p.field}: {p.message}
                      </li>
                    ))}
                  </ul>
                ) : undefined
              }
              data-testid="recon-import-error"
            />
          )}
        </Space>
      )}
    </Modal>
  );
}

function ImportSummary({ result }: { result: ImportResult }) {
  const { t } = useTranslation();
  const c = result.counts;
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="recon-import-result">
      <Alert type={result.replayed ? 'info' : 'success'} showIcon title={t(result.replayed ? 'recon.replayed' : 'recon.imported', { rows: result.rows })} />
      <Descriptions
        size="small"
        bordered
        column={2}
        items={[
          { key: 'file', label: t('recon.file'), children: result.fileName, span: 2 },
          { key: 'channel', label: t('recon.channel'), children: <ChannelTag channel={result.channel} /> },
          { key: 'days', label: t('recon.days'), children: result.days.join('、') || '—' },
          { key: 'rows', label: t('recon.rows'), children: result.rows },
          { key: 'fen', label: t('recon.amount'), children: <Yuan fen={result.statementFen} strong /> },
          { key: 'matched', label: t('recon.status.matched'), children: c.matched },
          { key: 'mismatch', label: t('recon.status.amount_mismatch'), children: <Count n={c.amountMismatch} color="magenta" /> },
          { key: 'applied', label: t('recon.channelOnlyApplied'), children: <Count n={c.channelOnlyApplied} color="orange" /> },
          { key: 'unapplied', label: t('recon.channelOnlyUnapplied'), children: <Count n={c.channelOnlyUnapplied} color="red" /> },
          { key: 'ledgerOnly', label: t('recon.status.ledger_only'), children: <Count n={c.ledgerOnly} color="red" /> },
          { key: 'already', label: t('recon.alreadyReconciled'), children: c.alreadyReconciled },
          { key: 'skipped', label: t('recon.skipped'), children: result.skipped },
          { key: 'refunds', label: t('recon.refunds'), children: `${result.refunds.count} · ${yuan(result.refunds.fen)}` },
        ]}
      />
    </Space>
  );
}
