import { App, Input, Modal, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldProblems, useSaveVersion, type Version } from './api';
import { ProblemList } from './ProblemList';
import { describeError } from '../../api/errors';

/** A new draft version as JSON in the catalogue format, prefilled from an existing version. */
export function DraftVersionModal({ open, initial, onClose, onSaved }: { open: boolean; initial: string; onClose: () => void; onSaved: (v: Version) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [text, setText] = useState(initial);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const save = useSaveVersion();
  useEffect(() => {
    if (open) {
      setText(initial);
      setJsonError(null);
      save.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, initial]);

  const submit = () => {
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (err) {
      setJsonError(t('tariffs.draft.badJson', { message: (err as Error).message }));
      return;
    }
    setJsonError(null);
    save.mutate(definition, {
      onSuccess: (v) => {
        void message.success(v.replaced ? t('tariffs.draft.replaced') : t('tariffs.draft.saved'));
        onSaved(v);
      },
    });
  };
  const problems = fieldProblems(save.error);

  return (
    <Modal open={open} title={t('tariffs.draft.title')} width={860} okText={t('tariffs.draft.save')} onOk={submit} confirmLoading={save.isPending} onCancel={onClose} destroyOnHidden>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('tariffs.draft.help')}</Typography.Text>
        <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 14, maxRows: 24 }} spellCheck={false} style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 }} data-testid="draft-json" />
        {jsonError && <Typography.Text type="danger">{jsonError}</Typography.Text>}
        {problems && <ProblemList title={t('tariffs.draft.problems', { count: problems.length })} problems={problems} testId="draft-problems" />}
        {save.error && !problems && <Typography.Text type="danger">{describeError(save.error)}</Typography.Text>}
      </Space>
    </Modal>
  );
}
