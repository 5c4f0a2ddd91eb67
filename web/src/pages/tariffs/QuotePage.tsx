import { CalculatorOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, DatePicker, Descriptions, Empty, Form, Input, Radio, Row, Select, Space, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { CATEGORIES, VOLTAGE_LEVELS, type Category, type VoltageLevel } from '../../../../src/modules/tariffs/domain/tariff-format';
import { describeError } from '../../api/errors';
import { label } from '../../format';
import { BillLinesTable } from '../billing/BillLines';
import { fieldProblems, useCatalogue, useQuote, useVersion, type TariffDefinition } from './api';
import { ProblemList } from './ProblemList';
import { problemMessage, type FieldProblem } from './problems';

/** Published two-part prices start at 1–10 kV. */
const LOW_VOLTAGE: readonly VoltageLevel[] = ['0.22kV', '0.4kV'];

interface FormValues {
  source: 'catalogue' | 'inline';
  tariffCode?: string;
  tariffJson?: string;
  period: Dayjs;
  account: { category: Category; voltageLevel: VoltageLevel; agentMultiplier?: string; pfStandard?: string; capacityKva?: string; contractDemandKw?: string; basicChargeBasis?: string };
  usage: { kwh?: string; peak?: string; flat?: string; valley?: string; critical?: string; kvarh?: string; maxDemandKw?: string; days?: string };
}

/** 电费试算: a catalogue code (or a pasted definition), the account's attributes and the usage → bill lines. */
export function QuotePage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const [form] = Form.useForm<FormValues>();
  const catalogue = useCatalogue();
  const quote = useQuote();
  const source = Form.useWatch('source', form) ?? 'catalogue';
  const code = Form.useWatch('tariffCode', form);
  const period = Form.useWatch('period', form) as Dayjs | undefined;
  const tariffJson = Form.useWatch('tariffJson', form);
  const basis = Form.useWatch(['account', 'basicChargeBasis'], form);

  useEffect(() => {
    document.title = `${t('tariffs.quote.title')} · ${t('app.name')}`;
  }, [t]);

  // The version that a catalogue code has in the chosen month tells which fields matter.
  const versionId = useMemo(() => {
    const item = catalogue.data?.items.find((i) => i.code === code);
    if (!item || !period) return null;
    const first = `${period.format('YYYY-MM')}-01`;
    return item.versions.filter((v) => v.status === 'published' && v.effectiveFrom <= first).at(-1)?.id ?? null;
  }, [catalogue.data, code, period]);
  const version = useVersion(source === 'catalogue' ? versionId : null);
  const definition: Partial<TariffDefinition> | null = useMemo(() => {
    if (source === 'catalogue') return version.data?.definition ?? null;
    try {
      return JSON.parse(tariffJson ?? '') as TariffDefinition;
    } catch {
      return null;
    }
  }, [source, version.data, tariffJson]);

  // Keep the account within what the tariff applies to (a two-part code is for 10 kV industry, not a household).
  useEffect(() => {
    const categories = definition?.appliesTo?.categories;
    const voltages = definition?.appliesTo?.voltageLevels;
    const account = form.getFieldValue('account') as FormValues['account'] | undefined;
    if (!account) return;
    if (categories?.length && !categories.includes(account.category)) form.setFieldValue(['account', 'category'], categories[0]);
    if (voltages?.length && !voltages.includes(account.voltageLevel)) form.setFieldValue(['account', 'voltageLevel'], voltages[0]);
    else if (definition?.agentPurchase?.column === 'two-part' && LOW_VOLTAGE.includes(account.voltageLevel)) form.setFieldValue(['account', 'voltageLevel'], '10kV');
  }, [definition, form]);

  const tou = Boolean(definition?.tou);
  const twoPart = definition?.kind === 'two-part';
  const agent = Boolean(definition?.agentPurchase);
  const pf = Boolean(definition?.powerFactor);

  const initial = useMemo<Partial<FormValues>>(
    () => ({
      source: 'catalogue',
      tariffCode: params.get('code') ?? 'gansu.residential.tiered',
      period: dayjs().subtract(1, 'month').startOf('month'),
      account: { category: 'residential', voltageLevel: '0.22kV', agentMultiplier: '1', pfStandard: '', basicChargeBasis: 'demand' },
      usage: {},
    }),
    [params],
  );
  // A code picked elsewhere (the catalogue's 试算 button) while the page is open.
  useEffect(() => {
    const c = params.get('code');
    if (c) form.setFieldValue('tariffCode', c);
  }, [params, form]);

  const submit = (v: FormValues) => {
    const clean = <T extends Record<string, string | undefined>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== '')) as Partial<T>;
    let tariff: unknown;
    if (v.source === 'inline') {
      try {
        tariff = JSON.parse(v.tariffJson ?? '');
      } catch (err) {
        form.setFields([{ name: 'tariffJson', errors: [t('tariffs.draft.badJson', { message: (err as Error).message })] }]);
        return;
      }
    }
    const u = clean(v.usage);
    const usage: Record<string, unknown> = clean({ kvarh: u.kvarh, maxDemandKw: u.maxDemandKw, days: u.days });
    if (tou) usage.kwhByPeriod = clean({ peak: u.peak ?? '0', flat: u.flat ?? '0', valley: u.valley ?? '0', critical: u.critical });
    else usage.kwh = u.kwh;
    const account = clean(v.account);
    if (!agent) delete account.agentMultiplier;
    if (!twoPart) {
      delete account.basicChargeBasis;
      delete account.contractDemandKw;
    }
    const body = { ...(v.source === 'catalogue' ? { tariffCode: v.tariffCode } : { tariff }), period: v.period.format('YYYY-MM'), account, usage };
    // the server's problems of the previous attempt no longer hold
    form.setFields(form.getFieldsError().filter((f) => f.errors.length).map((f) => ({ name: f.name as never, errors: [] })));
    quote.mutate(body, {
      onError: (err) => {
        // Field problems also mark the inputs they are about.
        // Field problems also mark the inputs they are about, in the UI's language beside the input's label.
        const problems = (fieldProblems(err) ?? []) as FieldProblem[];
        const byField = new Map<string, string[]>();
        for (const p of problems.filter((x) => /^(account|usage)\.[a-zA-Z]+(\.(peak|flat|valley|critical))?$/.test(x.field))) {
          const key = fieldName(p.field).join('.');
          byField.set(key, [...(byField.get(key) ?? []), problemMessage(t, p)]);
        }
        form.setFields([...byField].map(([key, errors]) => ({ name: key.split('.') as never, errors })));
      },
    });
  };

  const problems = fieldProblems(quote.error);
  const result = quote.data;

  return (
    <Row gutter={16} wrap style={{ alignItems: 'flex-start' }}>
      <Col xs={24} xl={11}>
        <Card title={t('tariffs.quote.title')} variant="borderless" extra={<Typography.Text type="secondary">{t('tariffs.quote.hint')}</Typography.Text>}>
          <Form form={form} layout="vertical" initialValues={initial} onFinish={submit} requiredMark={false} data-testid="quote-form">
            <Form.Item name="source" label={t('tariffs.quote.source')}>
              <Radio.Group optionType="button" options={[{ value: 'catalogue', label: t('tariffs.quote.fromCatalogue') }, { value: 'inline', label: t('tariffs.quote.inline') }]} />
            </Form.Item>
            <Row gutter={12}>
              <Col span={source === 'catalogue' ? 15 : 0}>
                {source === 'catalogue' && (
                  <Form.Item name="tariffCode" label={t('tariffs.quote.tariffCode')} rules={[{ required: true }]}>
                    <Select
                      showSearch
                      loading={catalogue.isLoading}
                      options={(catalogue.data?.items ?? []).map((i) => ({ value: i.code, label: `${i.code} · ${i.name}` }))}
                      data-testid="quote-code"
                    />
                  </Form.Item>
                )}
              </Col>
              <Col span={source === 'catalogue' ? 9 : 12}>
                <Form.Item name="period" label={t('tariffs.quote.period')} rules={[{ required: true }]}>
                  <DatePicker picker="month" allowClear={false} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
            {source === 'inline' && (
              <Form.Item name="tariffJson" label={t('tariffs.quote.definition')} rules={[{ required: true }]}>
                <Input.TextArea autoSize={{ minRows: 8, maxRows: 18 }} spellCheck={false} style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 12 }} />
              </Form.Item>
            )}
            {definition && (
              <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
                {definition.name} · {t(`tariffs.kind.${definition.kind}`, { defaultValue: definition.kind ?? '' })}
                {definition.effectiveFrom && ` · ${definition.effectiveFrom}`}
              </Typography.Paragraph>
            )}

            <Typography.Title level={5}>{t('tariffs.quote.account')}</Typography.Title>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name={['account', 'category']} label={t('tariffs.quote.category')}>
                  <Select options={CATEGORIES.map((c) => ({ value: c, label: label(t, 'category', c) }))} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name={['account', 'voltageLevel']} label={t('tariffs.quote.voltageLevel')}>
                  <Select options={VOLTAGE_LEVELS.map((v) => ({ value: v, label: v }))} />
                </Form.Item>
              </Col>
              {agent && (
                <Col span={12}>
                  <Form.Item name={['account', 'agentMultiplier']} label={t('tariffs.quote.agentMultiplier')}>
                    <Select options={['1', '1.5'].map((v) => ({ value: v, label: v }))} />
                  </Form.Item>
                </Col>
              )}
              {pf && (
                <Col span={12}>
                  <Form.Item name={['account', 'pfStandard']} label={t('tariffs.quote.pfStandard')}>
                    <Select options={[{ value: '', label: t('tariffs.quote.byRules') }, ...['0.90', '0.85', '0.80'].map((v) => ({ value: v, label: v }))]} />
                  </Form.Item>
                </Col>
              )}
              {(twoPart || pf) && (
                <Col span={12}>
                  <Form.Item name={['account', 'capacityKva']} label={t('tariffs.quote.capacityKva')}>
                    <Input inputMode="decimal" />
                  </Form.Item>
                </Col>
              )}
              {twoPart && (
                <>
                  <Col span={12}>
                    <Form.Item name={['account', 'basicChargeBasis']} label={t('tariffs.quote.basicChargeBasis')}>
                      <Select options={['capacity', 'demand'].map((v) => ({ value: v, label: t(`account.basis.${v}`) }))} />
                    </Form.Item>
                  </Col>
                  {basis === 'demand' && (
                    <Col span={12}>
                      <Form.Item name={['account', 'contractDemandKw']} label={t('tariffs.quote.contractDemandKw')}>
                        <Input inputMode="decimal" />
                      </Form.Item>
                    </Col>
                  )}
                </>
              )}
            </Row>

            <Typography.Title level={5}>{t('tariffs.quote.usage')}</Typography.Title>
            {tou && <Alert type="info" showIcon title={t('tariffs.quote.touNeedsRegisters')} style={{ marginBottom: 12 }} />}
            <Row gutter={12}>
              {tou ? (
                (['peak', 'flat', 'valley', ...(definition?.tou?.factors.critical ? ['critical'] : [])] as const).map((p) => (
                  <Col span={definition?.tou?.factors.critical ? 6 : 8} key={p}>
                    <Form.Item name={['usage', p]} label={t(`tariffs.quote.${p}`)}>
                      <Input inputMode="decimal" placeholder="0" />
                    </Form.Item>
                  </Col>
                ))
              ) : (
                <Col span={12}>
                  <Form.Item name={['usage', 'kwh']} label={t('tariffs.quote.kwh')}>
                    <Input inputMode="decimal" data-testid="quote-kwh" />
                  </Form.Item>
                </Col>
              )}
              {pf && (
                <Col span={12}>
                  <Form.Item name={['usage', 'kvarh']} label={t('tariffs.quote.kvarh')}>
                    <Input inputMode="decimal" />
                  </Form.Item>
                </Col>
              )}
              {twoPart && basis === 'demand' && (
                <Col span={12}>
                  <Form.Item name={['usage', 'maxDemandKw']} label={t('tariffs.quote.maxDemandKw')}>
                    <Input inputMode="decimal" />
                  </Form.Item>
                </Col>
              )}
              {twoPart && (
                <Col span={12}>
                  <Form.Item name={['usage', 'days']} label={t('tariffs.quote.days')}>
                    <Input inputMode="decimal" />
                  </Form.Item>
                </Col>
              )}
            </Row>
            <Space>
              <Button type="primary" htmlType="submit" icon={<CalculatorOutlined />} loading={quote.isPending} data-testid="quote-submit">
                {t('tariffs.quote.submit')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  quote.reset();
                }}
              >
                {t('tariffs.quote.reset')}
              </Button>
            </Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={13}>
        <Card title={t('tariffs.quote.result')} variant="borderless">
          {problems && <ProblemList title={t('tariffs.quote.invalid')} problems={problems} testId="quote-problems" />}
          {quote.error && !problems && <Alert type="error" showIcon title={describeError(quote.error)} />}
          {result && !quote.error && <QuoteResultView result={result} />}
          {!result && !quote.error && <Empty description={t('tariffs.quote.empty')} />}
        </Card>
      </Col>
    </Row>
  );
}

/** 'usage.kwhByPeriod.peak' → ['usage', 'peak'] (the form's own field names). */
function fieldName(field: string): (string | number)[] {
  const parts = field.split('.');
  return parts[1] === 'kwhByPeriod' ? ['usage', parts[2] ?? 'peak'] : parts;
}

function QuoteResultView({ result }: { result: NonNullable<ReturnType<typeof useQuote>['data']> }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="quote-result">
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'v', label: t('tariffs.quote.tariffCode'), children: `${t('tariffs.quote.usedVersion', { code: result.tariffCode, from: result.tariffEffectiveFrom })} ${result.tariffName}` },
          { key: 'p', label: t('tariffs.quote.period'), children: result.period },
          ...(result.agentPrices
            ? [{ key: 'a', label: t('menu.agentPrices'), children: t('tariffs.quote.usedPrices', { month: result.agentPrices.month, source: t(result.agentPrices.source === 'published' ? 'tariffs.quote.pricesPublished' : 'tariffs.quote.pricesInline') }) }]
            : []),
        ]}
      />
      <BillLinesTable view={result} testId="quote-lines" totalTestId="quote-total" />
    </Space>
  );
}
