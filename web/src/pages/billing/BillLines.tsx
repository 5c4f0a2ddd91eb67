import { FilePdfOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Drawer, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { describeError } from '../../api/errors';
import { billPdfUrl, hasRoute, useApiRoutes, useBill } from '../../api/queries';
import type { Bill, BillLineItem, BillSummary } from '../../api/types';
import { dateTime, day, DASH, quantity } from '../../format';
import { lineLabel } from '../tariffs/lines';
import { fractionAsPercent, yuan } from '../tariffs/money';
import { BillKindTag, BillStatusTag } from './parts';

type T = ReturnType<typeof useTranslation>['t'];

/** A bill's lines (GET /bills/:id): item, quantity, unit price, amount, and the total — the sum of the lines. */
export function BillLines({ billId }: { billId: number }) {
  const { t } = useTranslation();
  const bill = useBill(billId);
  if (bill.isLoading) return <Skeleton active paragraph={{ rows: 3 }} />;
  if (bill.isError || !bill.data) return <Alert type="error" showIcon title={describeError(bill.error)} />;
  return <LinesTable bill={bill.data} t={t} />;
}

function LinesTable({ bill, t }: { bill: Bill; t: T }) {
  return (
    <Table<BillLineItem>
      size="small"
      rowKey="lineNo"
      pagination={false}
      dataSource={bill.lines}
      data-testid="bill-lines"
      columns={[
        { title: t('billing.bill.line'), dataIndex: 'code', render: (c: string) => <span title={c}>{lineLabel(t, c)}</span> },
        { title: t('billing.bill.quantity'), dataIndex: 'quantity', align: 'right', render: (v: string) => <span className="num">{v}</span> },
        {
          title: t('billing.bill.unitPrice'),
          dataIndex: 'unitPrice',
          align: 'right',
          render: (v: string, l) => <span className="num">{l.code === 'pf.adjustment' ? `${fractionAsPercent(v)}%` : v}</span>,
        },
        { title: t('billing.bill.amount'), dataIndex: 'amountFen', align: 'right', render: (f: number) => <span className="num">{yuan(f)}</span> },
      ]}
      summary={() => (
        <Table.Summary.Row>
          <Table.Summary.Cell index={0} colSpan={3}>
            <b>{t('billing.bill.total')}</b>
          </Table.Summary.Cell>
          <Table.Summary.Cell index={3} align="right">
            <b className="num" data-testid="bill-lines-total">
              {yuan(bill.totalFen)}
            </b>
          </Table.Summary.Cell>
        </Table.Summary.Row>
      )}
    />
  );
}

/** Usage as the bill shows it: total kWh, and peak/flat/valley for time-of-use meters. */
export function usageText(t: T, u: BillSummary['usage']): string {
  if (u.kwh === null) return DASH;
  const tou = u.peakKwh !== null && u.flatKwh !== null && u.valleyKwh !== null;
  return tou ? `${u.kwh}（${t('meter.register.peak')} ${u.peakKwh} / ${t('meter.register.flat')} ${u.flatKwh} / ${t('meter.register.valley')} ${u.valleyKwh}）` : u.kwh;
}

/** Flags the run set on the bill (estimated usage, an outlier, a register rollover). */
export function BillFlags({ bill }: { bill: Pick<BillSummary, 'flags'> }) {
  const { t } = useTranslation();
  const on = (['estimated', 'outlier', 'rollover'] as const).filter((f) => bill.flags[f]);
  if (!on.length) return null;
  return (
    <Space size={[2, 2]} wrap>
      {on.map((f) => (
        <Tag key={f} color={f === 'estimated' ? 'gold' : 'orange'} style={{ marginInlineEnd: 0 }}>
          {t(`billing.flag.${f}`)}
        </Tag>
      ))}
    </Space>
  );
}

/** A PDF download of the bill, when the server has the route. */
export function BillPdfLink({ billId, compact }: { billId: number; compact?: boolean }) {
  const { t } = useTranslation();
  const routes = useApiRoutes();
  if (!hasRoute(routes.data, 'GET', '/bills/{id}/pdf')) return null;
  return (
    <Button size="small" type={compact ? 'link' : 'default'} icon={<FilePdfOutlined />} href={billPdfUrl(billId)} target="_blank" rel="noopener" title={t('billing.bill.pdfTitle')} data-testid="bill-pdf">
      {compact ? null : t('billing.bill.pdf')}
    </Button>
  );
}

/** One bill in a drawer: who, what period, usage, flags, dates and its lines. */
export function BillDrawer({ billId, account, onClose }: { billId: number | null; account?: { no: string; name: string } | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const bill = useBill(billId);
  const b = bill.data;
  return (
    <Drawer
      open={billId !== null}
      onClose={onClose}
      size={640}
      title={
        b ? (
          <Space size={8}>
            <span>{t('billing.bill.title', { period: b.period })}</span>
            <BillKindTag bill={b} t={t} />
            <BillStatusTag bill={b} t={t} />
          </Space>
        ) : (
          t('billing.bill.titlePlain')
        )
      }
      extra={billId !== null && <BillPdfLink billId={billId} />}
      data-testid="bill-drawer"
    >
      {!b ? (
        bill.isError ? <Alert type="error" showIcon title={describeError(bill.error)} /> : <Skeleton active />
      ) : (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Descriptions
            size="small"
            bordered
            column={2}
            items={[
              { key: 'account', label: t('billing.bill.account'), children: (
                  <Link to={`/accounts/${b.accountId}`} title={t('billing.bill.openAccount')}>
                    {account ? (
                      <>
                        <span className="mono">{account.no}</span> {account.name}
                      </>
                    ) : (
                      t('billing.bill.openAccount')
                    )}
                  </Link>
                ),
              },
              { key: 'tariff', label: t('billing.bill.tariff'), children: <span className="mono">{b.tariffCode}</span> },
              { key: 'kwh', label: t('billing.bill.kwh'), children: <span className="num">{usageText(t, b.usage)}</span>, span: 2 },
              ...(b.usage.kvarh !== null ? [{ key: 'kvarh', label: t('billing.bill.kvarh'), children: <span className="num">{quantity(b.usage.kvarh)}</span> }] : []),
              ...(b.usage.maxDemandKw !== null ? [{ key: 'demand', label: t('billing.bill.maxDemand'), children: <span className="num">{quantity(b.usage.maxDemandKw, 'kW')}</span> }] : []),
              ...(b.usage.days !== null ? [{ key: 'days', label: t('billing.bill.days'), children: <span className="num">{b.usage.days}</span> }] : []),
              { key: 'issued', label: t('billing.bill.issuedAt'), children: b.issuedAt ? dateTime(b.issuedAt) : t('billing.bill.notIssued') },
              { key: 'due', label: t('billing.bill.dueOn'), children: day(b.dueOn) },
              ...(b.reason ? [{ key: 'reason', label: t('billing.bill.reason'), children: b.reason, span: 2 }] : []),
              ...(b.flags.estimated || b.flags.outlier || b.flags.rollover ? [{ key: 'flags', label: t('billing.bill.flags'), children: <BillFlags bill={b} />, span: 2 }] : []),
            ]}
          />
          <LinesTable bill={b} t={t} />
          {b.adjustmentIds.length > 0 && <Typography.Text type="secondary">{t('billing.bill.adjustedBy', { count: b.adjustmentIds.length })}</Typography.Text>}
        </Space>
      )}
    </Drawer>
  );
}
