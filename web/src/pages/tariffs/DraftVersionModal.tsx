import { App, Form, Input, Modal, Space, Tabs, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../api/errors';
import { fieldProblems, useSaveVersion, type TariffDefinition, type Version } from './api';
import { ProblemList } from './ProblemList';
import { definitionOf, valuesOf, type FormValues } from './version-form';
import { VersionForm } from './VersionForm';

const parse = (text: string): Partial<TariffDefinition> => {
  const v = JSON.parse(text) as unknown;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Partial<TariffDefinition>) : {};
};

/**
 * A new draft version, prefilled from an existing one: a form by default, the catalogue format's JSON
 * for experts; switching carries the content across. The server lists every problem at once.
 */
export function DraftVersionModal({ open, initial, onClose, onSaved }: { open: boolean; initial: string; onClose: () => void; onSaved: (v: Version) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [start, setStart] = useState<FormValues>(() => valuesOf({}));
  const [text, setText] = useState(initial);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const save = useSaveVersion();
  useEffect(() => {
    if (!open) return;
    let values: FormValues;
    try {
      values = valuesOf(parse(initial || '{}'));
    } catch {
      values = valuesOf({});
    }
    setStart(values);
    form.resetFields();
    form.setFieldsValue(values);
    setText(initial);
    setMode('form');
    setJsonError(null);
    save.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, initial]);

  const fromForm = () => definitionOf(form.getFieldsValue(true) as FormValues);
  const switchTo = (next: string) => {
    if (next === 'json') {
      setText(JSON.stringify(fromForm(), null, 2));
      setMode('json');
      return;
    }
    try {
      const values = valuesOf(parse(text));
      form.resetFields();
      form.setFieldsValue(values);
      setJsonError(null);
      setMode('form');
    } catch (err) {
      setJsonError(t('tariffs.draft.badJson', { message: (err as Error).message }));
    }
  };

  const submit = () => {
    let definition: unknown;
    if (mode === 'form') definition = fromForm();
    else {
      try {
        definition = JSON.parse(text);
      } catch (err) {
        setJsonError(t('tariffs.draft.badJson', { message: (err as Error).message }));
        return;
      }
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
    <Modal open={open} title={t('tariffs.draft.title')} width={900} okText={t('tariffs.draft.save')} onOk={submit} confirmLoading={save.isPending} onCancel={onClose} destroyOnHidden>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('tariffs.draft.help')}</Typography.Text>
        <Tabs
          activeKey={mode}
          onChange={switchTo}
          items={[
            { key: 'form', label: t('tariffs.editor.form'), children: <VersionForm form={form} initial={start} />, forceRender: true },
            {
              key: 'json',
              label: t('tariffs.editor.json'),
              children: (
                <Input.TextArea
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  autoSize={{ minRows: 14, maxRows: 24 }}
                  spellCheck={false}
                  style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 }}
                  data-testid="draft-json"
                />
              ),
            },
          ]}
        />
        {jsonError && <Typography.Text type="danger">{jsonError}</Typography.Text>}
        {problems && <ProblemList title={t('tariffs.draft.problems', { count: problems.length })} problems={problems} testId="draft-problems" />}
        {save.error && !problems && <Typography.Text type="danger">{describeError(save.error)}</Typography.Text>}
      </Space>
    </Modal>
  );
}
