import { Button, Card, Table, Typography } from 'antd';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { hasRoute, useAccountBills, useApiRoutes } from '../../api/queries';
import type { BillSummary } from '../../api/types';
import { dateTime, day, DASH } from '../../format';
import { yuan } from '../tariffs/money';
import { BillFlags, BillLines, BillPdfLink, usageText } from './BillLines';
import { BillKindTag, BillStatusTag } from './parts';
import { useStatement } from '../payments/api';
import { BillPayStateTag } from '../payments/parts';
import { billPayState } from '../payments/statement';

/**
 * 电费账单 on the customer page: the account's bills, newest first (GET /accounts/:id/bills); a row opens
 * to its lines (GET /bills/:id). Totals are integer fen, shown as 元 by string arithmetic.
 */
export function AccountBills({ accountId }: { accountId: number }) {
  const { t } = useTranslation();
  const bills = useAccountBills(accountId);
  // 已缴清 / 部分缴费 / 未缴 from the account's statement (open bills and what each paid bill received)
  const statement = useStatement(accountId);
  const routes = useApiRoutes();
  const pdf = hasRoute(routes.data, 'GET', '/bills/{id}/pdf');
  const items = bills.data?.pages.flatMap((p) => p.items) ?? [];
  const forbidden = bills.error instanceof ApiError && (bills.error.status === 403 || bills.error.status === 404);

  return (
    <Card size="small" title={t('billing.accountBills.title')} data-testid="account-bills">
      {forbidden ? (
        <Typography.Text type="secondary">{t('billing.accountBills.notAvailable')}</Typography.Text>
      ) : (
        <>
          <Table<BillSummary>
            size="small"
            rowKey="id"
            loading={bills.isLoading}
            pagination={false}
            dataSource={items}
            scroll={{ x: 1080 }}
            locale={{ emptyText: t('billing.accountBills.empty') }}
            onRow={(b) => ({ 'data-testid': 'bill-row', 'data-bill-id': b.id, 'data-status': b.status, 'data-pay-state': statement.data ? billPayState(b, statement.data) : undefined }) as HTMLAttributes<HTMLElement>}
            expandable={{ expandedRowRender: (b) => <BillLines billId={b.id} />, rowExpandable: () => true }}
            columns={[
              { title: t('billing.bill.period'), dataIndex: 'period', width: 90, render: (p: string) => <span className="num">{p}</span> },
              { title: t('billing.bill.kind'), dataIndex: 'kind', width: 80, render: (_: string, b) => <BillKindTag bill={b} t={t} /> },
              { title: t('billing.bill.status'), dataIndex: 'status', width: 90, render: (_: string, b) => <BillStatusTag bill={b} t={t} /> },
              ...(statement.data
                ? [{ title: t('payments.billState.title'), key: 'payState', width: 100, render: (_: unknown, b: BillSummary) => <BillPayStateTag state={billPayState(b, statement.data!)} /> }]
                : []),
              { title: t('billing.bill.kwh'), key: 'kwh', align: 'right', render: (_: unknown, b) => <span className="num">{usageText(t, b.usage)}</span> },
              {
                title: t('billing.bill.totalYuan'),
                dataIndex: 'totalFen',
                align: 'right',
                width: 120,
                render: (f: number) => (
                  <b className="num" data-testid="bill-total">
                    {yuan(f)}
                  </b>
                ),
              },
              { title: t('billing.bill.dueOn'), dataIndex: 'dueOn', width: 110, render: (v: string | null) => day(v) },
              { title: t('billing.bill.issuedAt'), dataIndex: 'issuedAt', width: 150, render: (v: string | null) => (v ? dateTime(v) : DASH) },
              { title: t('billing.bill.flags'), key: 'flags', width: 130, render: (_: unknown, b) => <BillFlags bill={b} /> },
              ...(pdf ? [{ title: t('billing.bill.pdf'), key: 'pdf', width: 64, render: (_: unknown, b: BillSummary) => <BillPdfLink billId={b.id} compact /> }] : []),
            ]}
          />
          {bills.hasNextPage && (
            <div style={{ textAlign: 'center', marginTop: 8 }}>
              <Button onClick={() => void bills.fetchNextPage()} loading={bills.isFetchingNextPage}>
                {t('billing.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
