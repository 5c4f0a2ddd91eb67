import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Checkbox, Col, Divider, Form, Input, InputNumber, Row, Select, Space, Switch, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { CATEGORIES, TARIFF_KINDS, VOLTAGE_LEVELS } from '../../../../src/modules/tariffs/domain/tariff-format';
import { label } from '../../format';
import type { TariffDefinition } from './api';
import type { FormValues, Switches } from './version-form';

/**
 * A tariff version as a form (the catalogue format, src/modules/tariffs/README.md): what every kind
 * has (code, name, date, eligibility), then the kind's own fields — tiers, price, TOU periods and factors,
 * basic charges, funds, the power-factor standard. Optional parts are switched on and off
 * (version-form.ts turns values and definitions into each other). The server checks everything.
 */

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);
const decimal = { pattern: /^-?\d{1,12}(\.\d{1,6})?$/, message: '0.00' };

export function VersionForm({ form, initial }: { form: FormInstance<FormValues>; initial: FormValues }) {
  const { t } = useTranslation();
  const f = (key: string) => t(`tariffs.field.${key}`);
  const kind = (Form.useWatch('kind', form) ?? initial.kind) as TariffDefinition['kind'] | undefined;
  const on = (Form.useWatch('on', form) ?? initial.on) as Switches;
  const customPf = Array.isArray(initial.powerFactor?.tables);
  const agent = kind === 'single-part' || kind === 'two-part';

  return (
    <Form form={form} layout="vertical" initialValues={initial} requiredMark={false} size="small" data-testid="version-form">
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="code" label={f('code')} rules={[{ required: true }]}>
            <Input className="mono" placeholder="gansu.residential.tiered" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="name" label={f('name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="effectiveFrom" label={f('effectiveFrom')} rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}>
            <Input placeholder="YYYY-MM-DD" data-testid="form-effective-from" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="kind" label={f('kind')} rules={[{ required: true }]}>
            <Select options={TARIFF_KINDS.map((k) => ({ value: k, label: t(`tariffs.kind.${k}`) }))} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name={['appliesTo', 'categories']} label={f('appliesTo_categories')}>
            <Select mode="multiple" allowClear placeholder={t('tariffs.view.any')} options={CATEGORIES.map((c) => ({ value: c, label: label(t, 'category', c) }))} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name={['appliesTo', 'voltageLevels']} label={f('appliesTo_voltageLevels')}>
            <Select mode="multiple" allowClear placeholder={t('tariffs.view.any')} options={VOLTAGE_LEVELS.map((v) => ({ value: v, label: v }))} />
          </Form.Item>
        </Col>
      </Row>

      {kind === 'tiered' && (
        <>
          <Divider titlePlacement="start">{f('tiers')}</Divider>
          <Form.List name="tiers">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field, i) => (
                  <Row gutter={12} key={field.key} align="bottom">
                    <Col span={10}>
                      <Form.Item name={[field.name, 'upToKwh']} label={`${t('tariffs.field.tier', { n: i + 1 })} · ${f('tiers_upToKwh')}`} rules={[decimal]}>
                        <Input inputMode="decimal" placeholder={i === fields.length - 1 ? t('tariffs.editor.noBound') : ''} />
                      </Form.Item>
                    </Col>
                    <Col span={10}>
                      <Form.Item name={[field.name, 'price']} label={f('tiers_price')} rules={[{ required: true }, decimal]}>
                        <Input inputMode="decimal" addonAfter="元/kWh" />
                      </Form.Item>
                    </Col>
                    <Col span={4}>
                      <Form.Item>
                        <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} disabled={fields.length <= 1} aria-label={t('tariffs.editor.remove')} />
                      </Form.Item>
                    </Col>
                  </Row>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ price: '' })} style={{ marginBottom: 12 }}>
                  {t('tariffs.editor.addTier')}
                </Button>
              </>
            )}
          </Form.List>
          <Form.Item name="cycleThresholds" label={f('cycleThresholds')}>
            <Select
              allowClear
              options={[
                { value: 'per-month', label: t('tariffs.view.cyclePerMonth') },
                { value: 'per-cycle', label: t('tariffs.view.cyclePerCycle') },
              ]}
            />
          </Form.Item>
        </>
      )}
      {kind === 'shared-meter' && (
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="basePrice" label={f('basePrice')} rules={[{ required: true }, decimal]}>
              <Input inputMode="decimal" addonAfter="元/kWh" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="markup" label={f('markup')} rules={[{ required: true }, decimal]}>
              <Input inputMode="decimal" addonAfter="元/kWh" />
            </Form.Item>
          </Col>
        </Row>
      )}
      {kind === 'flat' && (
        <Form.Item name="price" label={f('price')} rules={[{ required: true }, decimal]}>
          <Input inputMode="decimal" addonAfter="元/kWh" />
        </Form.Item>
      )}
      {(kind === 'tiered' || kind === 'shared-meter' || kind === 'flat') && (
        <Space align="start" size={12}>
          <Form.Item name={['on', 'funds']} valuePropName="checked" label={f('funds')}>
            <Switch />
          </Form.Item>
          {on.funds && (
            <Form.Item name={['funds', 'perKwh']} label={f('funds_perKwh')} rules={[{ required: true }, decimal]}>
              <Input inputMode="decimal" addonAfter="元/kWh" />
            </Form.Item>
          )}
        </Space>
      )}

      {agent && (
        <>
          <Form.Item name={['agentPurchase', 'column']} label={f('agentPurchase_column')} rules={[{ required: true }]}>
            <Select options={['single-part', 'two-part'].map((c) => ({ value: c, label: t(`tariffs.column.${c}`, { defaultValue: c }) }))} />
          </Form.Item>
          <Divider titlePlacement="start">
            <Space>
              {f('tou')}
              <Form.Item name={['on', 'tou']} valuePropName="checked" noStyle>
                <Switch size="small" />
              </Form.Item>
            </Space>
          </Divider>
          {on.tou && <TouFields on={on} />}
        </>
      )}

      {kind === 'two-part' && <BasicFields on={on} />}

      <Divider titlePlacement="start">
        <Space>
          {f('powerFactor')}
          <Form.Item name={['on', 'pf']} valuePropName="checked" noStyle>
            <Switch size="small" />
          </Form.Item>
        </Space>
      </Divider>
      {on.pf && (
        <Row gutter={12}>
          <Col span={12}>
            {customPf ? (
              <Alert type="info" showIcon title={t('tariffs.editor.customPf')} />
            ) : (
              <Form.Item name={['powerFactor', 'tables']} label={f('powerFactor_tables')} initialValue="standard-1983">
                <Select options={[{ value: 'standard-1983', label: t('tariffs.view.pf1983') }]} />
              </Form.Item>
            )}
          </Col>
          <Col span={12}>
            <Form.Item name={['powerFactor', 'exemptBelowKva']} label={f('powerFactor_exemptBelowKva')} rules={[decimal]}>
              <Input inputMode="decimal" addonAfter="kVA" />
            </Form.Item>
          </Col>
        </Row>
      )}
      <Form.Item name="notes" label={f('notes')}>
        <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
      </Form.Item>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('tariffs.editor.checkedOnSave')}
      </Typography.Text>
    </Form>
  );
}

function TouFields({ on }: { on: Switches }) {
  const { t } = useTranslation();
  const f = (key: string) => t(`tariffs.field.${key}`);
  return (
    <>
      <Row gutter={12}>
        {(['peak', 'flat', 'valley'] as const).map((p) => (
          <Col span={6} key={p}>
            <Form.Item name={['tou', 'factors', p]} label={f(`tou_factors_${p}`)} rules={[{ required: true }, decimal]}>
              <Input inputMode="decimal" />
            </Form.Item>
          </Col>
        ))}
        <Col span={6}>
          <Form.Item name={['tou', 'floating']} label={f('tou_floating')} rules={[{ required: true }]}>
            <Checkbox.Group options={['agent', 'lineLoss'].map((c) => ({ value: c, label: t(`tariffs.component.${c}`, { defaultValue: c }) }))} />
          </Form.Item>
        </Col>
      </Row>
      <Form.List name={['tou', 'hours']}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field) => (
              <Row gutter={12} key={field.key}>
                <Col span={8}>
                  <Form.Item name={[field.name, 'period']} label={f('tou_hours_period')} rules={[{ required: true }]}>
                    <Select options={['peak', 'flat', 'valley'].map((p) => ({ value: p, label: t(`meter.register.${p}`) }))} />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item name={[field.name, 'from']} label={f('tou_hours_from')} rules={[{ required: true }]}>
                    <Input placeholder="06:00" />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item name={[field.name, 'to']} label={f('tou_hours_to')} rules={[{ required: true }]}>
                    <Input placeholder="08:00" />
                  </Form.Item>
                </Col>
                <Col span={4}>
                  <Form.Item label=" ">
                    <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={t('tariffs.editor.remove')} />
                  </Form.Item>
                </Col>
              </Row>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => add({ period: 'flat', from: '', to: '' })} style={{ marginBottom: 12 }}>
              {t('tariffs.editor.addHours')}
            </Button>
          </>
        )}
      </Form.List>
      <Space align="start" size={12} wrap>
        <Form.Item name={['on', 'critical']} valuePropName="checked" label={f('tou_critical')}>
          <Switch />
        </Form.Item>
        {on.critical && (
          <>
            <Form.Item name={['tou', 'factors', 'critical']} label={f('tou_factors_critical')} rules={[{ required: true }, decimal]}>
              <Input inputMode="decimal" style={{ width: 90 }} />
            </Form.Item>
            <Form.Item name={['tou', 'critical', 'months']} label={f('tou_critical_months')} rules={[{ required: true }]}>
              <Select mode="multiple" style={{ minWidth: 200 }} options={MONTHS.map((m) => ({ value: m, label: t('tariffs.editor.month', { m }) }))} />
            </Form.Item>
            <Form.Item name={['tou', 'critical', 'hours', 0, 'from']} label={f('tou_critical_hours_from')} rules={[{ required: true }]}>
              <Input placeholder="19:00" style={{ width: 90 }} />
            </Form.Item>
            <Form.Item name={['tou', 'critical', 'hours', 0, 'to']} label={f('tou_critical_hours_to')} rules={[{ required: true }]}>
              <Input placeholder="21:00" style={{ width: 90 }} />
            </Form.Item>
          </>
        )}
      </Space>
    </>
  );
}

function BasicFields({ on }: { on: Switches }) {
  const { t } = useTranslation();
  const f = (key: string) => t(`tariffs.field.${key}`);
  const text = (key: string, unit?: string) => (
    <Col span={8} key={key}>
      <Form.Item name={['basic', key]} label={f(`basic_${key}`)} rules={[{ required: key !== 'singlePartUpToKva' }, decimal]}>
        <Input inputMode="decimal" addonAfter={unit} />
      </Form.Item>
    </Col>
  );
  return (
    <>
      <Divider titlePlacement="start">{f('basic')}</Divider>
      <Row gutter={12}>
        {text('capacityPricePerKva')}
        {text('demandPricePerKw')}
        {text('demandTolerance')}
        {text('excessMultiplier')}
        {text('demandFloorOfCapacity')}
        <Col span={8}>
          <Form.Item name={['basic', 'daysPerMonth']} label={f('basic_daysPerMonth')} rules={[{ required: true }]}>
            <InputNumber min={28} max={31} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        {text('singlePartUpToKva', 'kVA')}
      </Row>
      <Space align="start" size={12} wrap>
        <Form.Item name={['on', 'discount']} valuePropName="checked" label={f('basic_highLoadDiscount')}>
          <Switch />
        </Form.Item>
        {on.discount && (
          <>
            <Form.Item name={['basic', 'highLoadDiscount', 'kwhPerKva']} label={f('basic_highLoadDiscount_kwhPerKva')} rules={[{ required: true }, decimal]}>
              <Input inputMode="decimal" style={{ width: 110 }} />
            </Form.Item>
            <Form.Item name={['basic', 'highLoadDiscount', 'factor']} label={f('basic_highLoadDiscount_factor')} rules={[{ required: true }, decimal]}>
              <Input inputMode="decimal" style={{ width: 90 }} />
            </Form.Item>
            <Form.Item name={['basic', 'highLoadDiscount', 'appliesTo']} label={f('basic_highLoadDiscount_appliesTo')} rules={[{ required: true }]}>
              <Checkbox.Group
                options={[
                  { value: 'demand', label: t('tariffs.view.demandPrice') },
                  { value: 'capacity', label: t('tariffs.view.capacityPrice') },
                ]}
              />
            </Form.Item>
          </>
        )}
      </Space>
    </>
  );
}
