import { Alert, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Problem } from '../../api/client';
import { fieldLabel, problemMessage, type FieldProblem } from './problems';

/** Every problem of a 422, one per row: the field's label (or spreadsheet row/column) and what is wrong, in the UI's language. */
export function ProblemList({ title, problems, testId }: { title: string; problems: NonNullable<Problem['errors']>; testId?: string }) {
  const { t } = useTranslation();
  const fromFile = problems.some((p) => 'row' in p);
  const rows = (problems as FieldProblem[]).map((p, i) => ({ key: i, ...p, label: fieldLabel(t, p.field), text: problemMessage(t, p) }));
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
                  { title: t('tariffs.agent.problem'), dataIndex: 'text' },
                ]
              : [
                  { title: t('tariffs.impact.field'), dataIndex: 'label', width: '38%', render: (l: string, p) => <span data-field={p.field}>{l}</span> },
                  { title: t('tariffs.agent.problem'), dataIndex: 'text', render: (m: string, p) => <span data-code={p.code}>{m}</span> },
                ]
          }
        />
      }
    />
  );
}
