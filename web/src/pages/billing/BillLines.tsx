import { FilePdfOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Drawer, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { describeError } from '../../api/errors';
import { billPdfUrl, hasRoute, useApiRoutes, useBill } from '../../api/queries';
import type { BillSummary } from '../../api/types';
import { dateTime, day, DASH, quantity } from '../../format';
import type { PresentedLine } from '../tariffs/api';
import { yuan } from '../tariffs/money';
import { TariffName } from '../tariffs/TariffName';
import { BillKindTag, BillStatusTag } from './parts';

type T = ReturnType<typeof useTranslation>['t'];

/** A bill line's code in words: energy.tier2 → 第 2 档电量电费; unknown codes stay as they are. */
export function lineLabel(t: T, code: string): string {
  const tier = /^energy\.tier(\d+)$/.exec(code);
  if (tier) return t('tariffs.lines.energy_tier', { n: tier[1] });
  return t(`tariffs.lines.${code.replace(/\./g, '_')}`, { defaultValue: code });
}

/** The one presentation of bill lines (API: tariffs' presentBillLines), for a stored bill and a quote alike. */
export interface LinesView {
  lines: PresentedLine[];
  subtotals: { kind: PresentedLine['kind']; amountFen: number }[];
  kwh: string;
  averagePrice: string | null;
  totalFen: number;
}

/** A bill's lines (GET /bills/:id): item, quantity, unit price, amount, and the total — the sum of the lines. */
export function BillLines({ billId }: { billId: number }) {
  const { t } = useTranslation();
  const bill = useBill(billId);
  if (bill.isLoading) return <Skeleton active paragraph={{ rows: 3 }} />;
  if (bill.isError || !bill.data) return <Alert type="error" showIcon title={describeError(bill.error)} />;
  return <BillLinesTable view={bill.data} />;
}

const priceText = (l: PresentedLine) => (l.priceUnit === '%' ? `${!l.unitPrice.startsWith('-') && /[1-9]/.test(l.unitPrice) ? '+' : ''}${l.unitPrice}%` : `${l.unitPrice} ${l.priceUnit}`);

/**
 * Every line with its units and, for a part month, its factor: quantity × unit price × factor = amount;
 * then a subtotal per kind of charge, the total and the average price per kWh.
 */
export function BillLinesTable({ view, testId = 'bill-lines', totalTestId = 'bill-lines-total' }: { view: LinesView; testId?: string; totalTestId?: string }) {
  const { t } = useTranslation();
  const anyFactor = view.lines.some((l) => l.factor);
  const span = anyFactor ? 4 : 3;
  return (
    <Table<PresentedLine>
      size="small"
      rowKey={(l) => `${l.code}-${view.lines.indexOf(l)}`}
      pagination={false}
      dataSource={view.lines}
      data-testid={testId}
      columns={[
        { title: t('billing.bill.line'), dataIndex: 'code', render: (c: string) => lineLabel(t, c) },
        { title: t('billing.bill.quantity'), dataIndex: 'quantity', align: 'right', render: (v: string, l) => <span className="num">{`${v} ${l.unit}`}</span> },
        { title: t('billing.bill.unitPrice'), dataIndex: 'unitPrice', align: 'right', render: (_v: string, l) => <span className="num">{priceText(l)}</span> },
        ...(anyFactor
          ? [{ title: t('tariffs.lines.factor'), dataIndex: 'factor', align: 'right' as const, render: (f: PresentedLine['factor']) => (f ? <span className="num" data-testid="line-factor">{t('tariffs.lines.factorDays', { text: f.text, days: f.num })}</span> : DASH) }]
          : []),
        { title: t('billing.bill.amount'), dataIndex: 'amountFen', align: 'right', render: (f: number) => <span className="num">{yuan(f)}</span> },
      ]}
      summary={() => (
        <>
          {view.subtotals.map((s) => (
            <Table.Summary.Row key={s.kind} data-testid={`subtotal-${s.kind}`}>
              <Table.Summary.Cell index={0} colSpan={span}>
                <Typography.Text type="secondary">{t('tariffs.lines.subtotal', { kind: t(`tariffs.lines.kind_${s.kind}`) })}</Typography.Text>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={span} align="right">
                <Typography.Text type="secondary" className="num">
                  {yuan(s.amountFen)}
                </Typography.Text>
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ))}
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={span}>
              <b>{t('billing.bill.total')}</b>
              {view.averagePrice !== null && (
                <Typography.Text type="secondary" style={{ marginInlineStart: 12 }} data-testid="average-price">
                  {t('tariffs.lines.averagePrice')} {view.averagePrice} 元/kWh（{view.kwh} kWh）
                </Typography.Text>
              )}
            </Table.Summary.Cell>
            <Table.Summary.Cell index={span} align="right">
              <b className="num" data-testid={totalTestId}>
                {yuan(view.totalFen)}
              </b>
            </Table.Summary.Cell>
          </Table.Summary.Row>
        </>
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
              { key: 'tariff', label: t('billing.bill.tariff'), children: <TariffName code={b.tariffCode} /> },
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
          <BillLinesTable view={b} />
          {b.adjustmentIds.length > 0 && <Typography.Text type="secondary">{t('billing.bill.adjustedBy', { count: b.adjustmentIds.length })}</Typography.Text>}
        </Space>
      )}
    </Drawer>
  );
}
