import { Alert, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Problem } from '../../api/client';

/** Every problem of a 422, one per row: field (or spreadsheet row/column) and what is wrong. */
export function ProblemList({ title, problems, testId }: { title: string; problems: NonNullable<Problem['errors']>; testId?: string }) {
  const { t } = useTranslation();
  const fromFile = problems.some((p) => 'row' in p);
  const rows = problems.map((p, i) => ({ key: i, ...(p as { field: string; message: string; row?: number; column?: string }) }));
  return (
    <Alert
      type="error"
      showIcon
      title={title}
      data-testid={testId}
      description={
        <Table
          size="small"
          pagination={false}
          scroll={{ y: 260 }}
          dataSource={rows}
          columns={
            fromFile
              ? [
                  { title: t('tariffs.agent.row'), dataIndex: 'row', width: 60, render: (r: number) => (r ? r : '—') },
                  { title: t('tariffs.agent.col'), dataIndex: 'column', width: 60, render: (c?: string) => c ?? '—' },
                  { title: t('tariffs.agent.problem'), dataIndex: 'message' },
                ]
              : [
                  { title: t('tariffs.impact.field'), dataIndex: 'field', width: '38%', render: (f: string) => <code>{f}</code> },
                  { title: t('tariffs.agent.problem'), dataIndex: 'message' },
                ]
          }
        />
      }
    />
  );
}
