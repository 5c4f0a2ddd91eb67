import { Col, Row, Statistic, Table, Tag, Typography } from 'antd';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { yuan } from '../tariffs/money';
import type { OpenBill, Statement } from './api';
import { Yuan } from './parts';

/** 欠费 · 违约金 · 应缴合计 · 预收余额: the four figures of an account, as of the statement day. */
export function BalanceFigures({ statement, compact = false }: { statement: Statement; compact?: boolean }) {
  const { t } = useTranslation();
  const size = compact ? 18 : 22;
  const figure = (key: string, fen: number, color?: string, testId?: string) => (
    <Col xs={12} sm={12} md={6} key={key}>
      <Statistic
        title={t(`payments.figures.${key}`)}
        value={yuan(fen)}
        suffix={<span style={{ fontSize: 13 }}>{t('payments.yuan')}</span>}
        styles={{ content: { fontSize: size, fontVariantNumeric: 'tabular-nums', color } }}
        data-testid={testId}
        data-fen={fen}
      />
    </Col>
  );
  return (
    <Row gutter={[16, 12]} data-testid="balance-figures">
      {figure('arrears', statement.arrearsFen, statement.arrearsFen > 0 ? '#cf1322' : undefined, 'figure-arrears')}
      {figure('penalty', statement.penaltyFen, statement.penaltyFen > 0 ? '#d46b08' : undefined, 'figure-penalty')}
      {figure('toPay', statement.toPayFen, statement.toPayFen > 0 ? '#cf1322' : '#389e0d', 'statement-to-pay')}
      {figure('prepaid', statement.prepaidFen, undefined, 'figure-prepaid')}
    </Row>
  );
}

/** The open bills, oldest first: principal due and still open, days overdue, penalty accrued to today. */
export function OpenBillsTable({ statement }: { statement: Statement }) {
  const { t } = useTranslation();
  return (
    <Table<OpenBill>
      size="small"
      rowKey="billId"
      pagination={false}
      dataSource={statement.openBills}
      scroll={{ x: 720 }}
      locale={{ emptyText: t('payments.statement.noOpenBills') }}
      onRow={(b) => ({ 'data-testid': 'open-bill-row', 'data-bill-id': b.billId }) as HTMLAttributes<HTMLElement>}
      columns={[
        { title: t('billing.bill.period'), dataIndex: 'period', width: 90, render: (v: string) => <span className="num">{v}</span> },
        { title: t('billing.bill.dueOn'), dataIndex: 'dueOn', width: 110, render: (v: string) => <span className="num">{v}</span> },
        {
          title: t('payments.statement.overdueDays'),
          dataIndex: 'overdueDays',
          width: 100,
          align: 'right',
          render: (d: number) => (d > 0 ? <Tag color={d > 30 ? 'red' : 'orange'}>{t('payments.statement.days', { count: d })}</Tag> : <Typography.Text type="secondary">{t('payments.statement.notDue')}</Typography.Text>),
        },
        { title: t('payments.statement.principalDue'), dataIndex: 'principalDueFen', align: 'right', render: (f: number) => <Yuan fen={f} /> },
        { title: t('payments.statement.principalOpen'), dataIndex: 'principalOpenFen', align: 'right', render: (f: number) => <Yuan fen={f} /> },
        { title: t('payments.penalty'), dataIndex: 'penaltyFen', align: 'right', render: (f: number) => <Yuan fen={f} danger /> },
        { title: t('payments.statement.billToPay'), key: 'sum', align: 'right', render: (_: unknown, b) => <Yuan fen={b.principalOpenFen + b.penaltyFen} strong /> },
      ]}
      summary={() =>
        statement.openBills.length > 1 ? (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={4}>
              <b>{t('payments.statement.total')}</b>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={4} align="right">
              <Yuan fen={statement.arrearsFen} strong />
            </Table.Summary.Cell>
            <Table.Summary.Cell index={5} align="right">
              <Yuan fen={statement.penaltyFen} strong />
            </Table.Summary.Cell>
            <Table.Summary.Cell index={6} align="right">
              <Yuan fen={statement.toPayFen} strong />
            </Table.Summary.Cell>
          </Table.Summary.Row>
        ) : null
      }
    />
  );
}
