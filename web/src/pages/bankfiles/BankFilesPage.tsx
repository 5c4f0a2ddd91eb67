import { DownloadOutlined, InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Modal, Result, Select, Skeleton, Space, Table, Tag, Typography, Upload } from 'antd';
import { useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { describeError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { dateTime, DASH, label } from '../../format';
import { Yuan } from '../payments/parts';
import { canImportBankFiles, canViewBankFiles } from '../payments/roles';
import { BANKS, bankResultCsvUrl, useBankBatch, useBankBatches, useImportBankFile, type BankBatch, type BankBatchDetail } from './api';

/**
 * 代扣文件: the banks' debit result files (代扣回盘). Marketing and admin upload one; every line becomes a
 * payment or a rejection with its reason; the list shows each file's accepted and rejected lines and
 * offers the result file (CSV) to send back or keep.
 */
export function BankFilesPage() {
  const { t } = useTranslation();
  const role = useMe().data?.role;
  const allowed = canViewBankFiles(role);
  const batches = useBankBatches(allowed);
  const rows = useMemo(() => batches.data?.pages.flatMap((p) => p.items) ?? [], [batches.data]);
  const [importing, setImporting] = useState(false);

  useEffect(() => {
    document.title = `${t('bankFiles.title')} · ${t('app.name')}`;
  }, [t]);

  if (!allowed || (batches.error instanceof ApiError && batches.error.status === 403)) {
    return <Result status="403" title={t('bankFiles.forbiddenTitle')} subTitle={t('bankFiles.forbidden')} data-testid="bank-files-forbidden" />;
  }

  return (
    <Card
      variant="borderless"
      title={t('bankFiles.title')}
      extra={
        canImportBankFiles(role) && (
          <Button type="primary" icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="bank-file-import">
            {t('bankFiles.import')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('bankFiles.help')}
      </Typography.Paragraph>
      <Table<BankBatch>
        size="small"
        rowKey="id"
        loading={batches.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1040 }}
        locale={{ emptyText: t('bankFiles.empty') }}
        expandable={{ expandedRowRender: (b) => <BatchDetail id={b.id} /> }}
        onRow={(b) => ({ 'data-testid': 'bank-file-row', 'data-batch-id': b.id, 'data-status': b.status }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('bankFiles.createdAt'), dataIndex: 'createdAt', width: 140, render: (v: string) => <span className="num">{dateTime(v)}</span> },
          { title: t('bankFiles.bank'), dataIndex: 'bank', width: 100, render: (b: string) => label(t, 'bankFiles.banks', b) },
          { title: t('bankFiles.fileName'), dataIndex: 'fileName', ellipsis: true, render: (v: string) => <span className="mono">{v}</span> },
          { title: t('bankFiles.businessDate'), dataIndex: 'businessDate', width: 100, render: (v: string) => <span className="num">{v}</span> },
          {
            title: t('bankFiles.status'),
            dataIndex: 'status',
            width: 100,
            render: (s: string, b) => (s === 'posted' ? <Tag color="success">{t('bankFiles.posted')}</Tag> : <Tag color="warning">{t('bankFiles.posting', { done: b.postedThrough, total: b.lines })}</Tag>),
          },
          { title: t('bankFiles.lines'), dataIndex: 'lines', width: 70, align: 'right', render: (n: number) => <span className="num">{n.toLocaleString('en-US')}</span> },
          { title: t('bankFiles.accepted'), dataIndex: 'accepted', width: 70, align: 'right', render: (n: number) => <span className="num" data-testid="bank-file-accepted">{n.toLocaleString('en-US')}</span> },
          {
            title: t('bankFiles.rejected'),
            dataIndex: 'rejected',
            width: 70,
            align: 'right',
            render: (n: number) => (n > 0 ? <Tag color="red" style={{ marginInlineEnd: 0 }} data-testid="bank-file-rejected">{n.toLocaleString('en-US')}</Tag> : <span className="num" data-testid="bank-file-rejected">0</span>),
          },
          { title: t('bankFiles.acceptedFen'), dataIndex: 'acceptedFen', width: 120, align: 'right', render: (f: number) => <Yuan fen={f} strong /> },
          {
            title: t('bankFiles.result'),
            key: 'csv',
            width: 110,
            render: (_: unknown, b) => (
              <Button size="small" type="link" icon={<DownloadOutlined />} href={bankResultCsvUrl(b.id)} data-testid="bank-file-result">
                {t('bankFiles.resultCsv')}
              </Button>
            ),
          },
        ]}
      />
      {batches.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 8 }}>
          <Button onClick={() => void batches.fetchNextPage()} loading={batches.isFetchingNextPage}>
            {t('billing.loadMore')}
          </Button>
        </div>
      )}
      {importing && <ImportModal onClose={() => setImporting(false)} />}
    </Card>
  );
}

function BatchDetail({ id }: { id: number }) {
  const batch = useBankBatch(id);
  if (!batch.data) return batch.isError ? <Alert type="error" title={describeError(batch.error)} /> : <Skeleton active paragraph={{ rows: 2 }} />;
  return <DetailFigures batch={batch.data} />;
}

function DetailFigures({ batch }: { batch: BankBatchDetail }) {
  const { t } = useTranslation();
  return (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, md: 2, xl: 4 }}
      items={[
        { key: 'payments', label: t('bankFiles.payments'), children: batch.allocation.payments },
        { key: 'principal', label: t('payments.principal'), children: <Yuan fen={batch.allocation.principalFen} /> },
        { key: 'penalty', label: t('payments.penalty'), children: <Yuan fen={batch.allocation.penaltyFen} /> },
        { key: 'prepaid', label: t('payments.prepaid'), children: <Yuan fen={batch.allocation.prepaidFen} /> },
        { key: 'encoding', label: t('bankFiles.encoding'), children: batch.encoding.toUpperCase() },
        { key: 'seconds', label: t('bankFiles.seconds'), children: batch.seconds === null ? DASH : `${batch.seconds.toFixed(1)} s` },
        {
          key: 'reasons',
          label: t('bankFiles.reasons'),
          span: 'filled',
          children: batch.rejectedByReason.length ? (
            <Space size={[4, 4]} wrap data-testid="bank-file-reasons">
              {batch.rejectedByReason.map((r) => (
                <Tag key={r.reason} color="red">
                  {label(t, 'bankFiles.reason', r.reason)} × {r.lines}
                </Tag>
              ))}
            </Space>
          ) : (
            t('bankFiles.noRejections')
          ),
        },
      ]}
    />
  );
}

function ImportModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [bank, setBank] = useState<string | undefined>(undefined);
  const [file, setFile] = useState<File | null>(null);
  const upload = useImportBankFile();
  const result = upload.data;

  return (
    <Modal
      open
      title={t('bankFiles.importTitle')}
      onCancel={() => !upload.isPending && onClose()}
      maskClosable={false}
      width={640}
      footer={
        result ? (
          <Space>
            <Button icon={<DownloadOutlined />} href={bankResultCsvUrl(result.batch.id)}>
              {t('bankFiles.resultCsv')}
            </Button>
            <Button type="primary" onClick={onClose}>
              {t('recon.close')}
            </Button>
          </Space>
        ) : (
          <Space>
            <Button onClick={onClose} disabled={upload.isPending}>
              {t('recon.cancel')}
            </Button>
            <Button type="primary" disabled={!bank || !file} loading={upload.isPending} onClick={() => bank && file && upload.mutate({ bank, file })} data-testid="bank-file-submit">
              {t('bankFiles.importSubmit')}
            </Button>
          </Space>
        )
      }
    >
      {result ? (
        <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="bank-file-import-result">
          <Alert
            type={result.outcome === 'replayed' ? 'info' : 'success'}
            showIcon
            title={t(`bankFiles.outcome.${result.outcome}`, { accepted: result.batch.accepted, rejected: result.batch.rejected })}
          />
          <DetailFigures batch={result.batch} />
        </Space>
      ) : (
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          <Select
            placeholder={t('bankFiles.pickBank')}
            style={{ width: '100%' }}
            value={bank}
            onChange={setBank}
            options={BANKS.map((b) => ({ value: b, label: `${label(t, 'bankFiles.banks', b)} (${b})` }))}
            data-testid="bank-file-bank"
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
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('bankFiles.dropFile')}</p>
            <p className="ant-upload-hint">{t('bankFiles.dropHint')}</p>
          </Upload.Dragger>
          {upload.isPending && <Alert type="info" showIcon title={t('bankFiles.posting2')} />}
          {upload.isError && <Alert type="error" showIcon title={describeError(upload.error)} data-testid="bank-file-error" />}
        </Space>
      )}
    </Modal>
  );
}
