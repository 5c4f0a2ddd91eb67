import { Collapse, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CATEGORY_COLORS, label } from '../../format';
import type { TariffDefinition } from './api';

const PERIOD_COLORS: Record<string, string> = { peak: '#e8684a', flat: '#f6bd16', valley: '#5b8ff9', critical: '#a0317d' };

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The 24 hours as one bar coloured by period, hour marks every 6 hours (the TOU calendar at a glance). */
function HourBar({ hours }: { hours: NonNullable<TariffDefinition['tou']>['hours'] }) {
  const { t } = useTranslation();
  return (
    <div style={{ maxWidth: 560 }}>
      <div style={{ display: 'flex', height: 22, borderRadius: 3, overflow: 'hidden', border: '1px solid #e3e6e8' }}>
        {[...hours]
          .sort((a, b) => minutes(a.from) - minutes(b.from))
          .map((h) => (
            <div
              key={h.from}
              title={`${h.from}–${h.to} ${t(`tariffs.period.${h.period}`)}`}
              style={{ width: `${((minutes(h.to) - minutes(h.from)) / 1440) * 100}%`, background: PERIOD_COLORS[h.period], color: '#fff', fontSize: 11, textAlign: 'center', lineHeight: '22px', overflow: 'hidden' }}
            >
              {t(`tariffs.period.${h.period}`)}
            </div>
          ))}
      </div>
      <div style={{ display: 'flex', justifyContent: 'space-between', fontSize: 11, color: '#8c959f' }}>
        {['00:00', '06:00', '12:00', '18:00', '24:00'].map((x) => (
          <span key={x}>{x}</span>
        ))}
      </div>
    </div>
  );
}

/** A version's prices as a person reads them: tiers, TOU periods and factors, basic charge, power factor. */
export function VersionView({ definition: d }: { definition: TariffDefinition }) {
  const { t } = useTranslation();
  const items = [
    {
      key: 'appliesTo',
      label: t('tariffs.view.appliesTo'),
      children: (
        <Space size={[4, 4]} wrap>
          {(d.appliesTo?.categories ?? []).map((c) => (
            <Tag key={c} color={CATEGORY_COLORS[c]}>
              {label(t, 'category', c)}
            </Tag>
          ))}
          {!d.appliesTo?.categories && <Tag>{t('tariffs.view.categories')}: {t('tariffs.view.any')}</Tag>}
          {(d.appliesTo?.voltageLevels ?? []).map((v) => (
            <Tag key={v}>{v}</Tag>
          ))}
        </Space>
      ),
    },
  ];

  return (
    <Space orientation="vertical" size={14} style={{ width: '100%' }}>
      <Descriptions size="small" column={1} bordered items={items} />
      {d.kind === 'tiered' && d.tiers && <TiersTable tiers={d.tiers} perMonth={(d.cycleThresholds ?? 'per-month') === 'per-month'} />}
      {d.kind === 'shared-meter' && (
        <Typography.Text>{t('tariffs.view.sharedMeter', { base: d.basePrice, markup: d.markup, total: addDecimals(d.basePrice ?? '0', d.markup ?? '0') })}</Typography.Text>
      )}
      {d.kind === 'flat' && (
        <Typography.Text>
          {t('tariffs.view.flatPrice')}: <b className="num">{d.price}</b> 元/kWh
        </Typography.Text>
      )}
      {d.funds && (
        <Typography.Text>
          {t('tariffs.view.funds')}: <span className="num">{d.funds.perKwh}</span> 元/kWh
        </Typography.Text>
      )}
      {d.agentPurchase && <Typography.Text>{t('tariffs.view.agentPurchase', { column: t(`tariffs.column.${d.agentPurchase.column}`) })}</Typography.Text>}
      {d.tou && <TouView tou={d.tou} />}
      {d.basic && <BasicView basic={d.basic} />}
      {d.powerFactor && (
        <div>
          <Typography.Text strong>{t('tariffs.view.powerFactor')}</Typography.Text>
          <div>
            {d.powerFactor.tables === 'standard-1983' ? t('tariffs.view.pf1983') : t('tariffs.view.pfCustom')}
            {d.powerFactor.exemptBelowKva && `；${t('tariffs.view.pfExempt', { kva: d.powerFactor.exemptBelowKva })}`}
          </div>
        </div>
      )}
      {d.notes && (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('tariffs.view.notes')}: {d.notes}
        </Typography.Paragraph>
      )}
      <Collapse size="small" items={[{ key: 'json', label: t('tariffs.view.definition'), children: <pre style={{ margin: 0, fontSize: 12, maxHeight: 360, overflow: 'auto' }}>{JSON.stringify(d, null, 2)}</pre> }]} />
    </Space>
  );
}

function TiersTable({ tiers, perMonth }: { tiers: NonNullable<TariffDefinition['tiers']>; perMonth: boolean }) {
  const { t } = useTranslation();
  let from = '0';
  const rows = tiers.map((tier, i) => {
    const row = { key: i, n: i + 1, range: tier.upToKwh ? `${from}–${tier.upToKwh}` : t('tariffs.view.above', { from }), price: tier.price };
    if (tier.upToKwh) from = tier.upToKwh;
    return row;
  });
  return (
    <div>
      <Typography.Text strong>{t('tariffs.view.tiers')}</Typography.Text>
      <Table
        size="small"
        pagination={false}
        style={{ maxWidth: 480, marginTop: 6 }}
        dataSource={rows}
        columns={[
          { title: '', dataIndex: 'n', width: 90, render: (n: number) => t('tariffs.view.tier', { n }) },
          { title: t('tariffs.view.range'), dataIndex: 'range', render: (v: string) => <span className="num">{v}</span> },
          { title: t('tariffs.view.price'), dataIndex: 'price', align: 'right', render: (v: string) => <span className="num">{v}</span> },
        ]}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {perMonth ? t('tariffs.view.cyclePerMonth') : t('tariffs.view.cyclePerCycle')}
      </Typography.Text>
    </div>
  );
}

function TouView({ tou }: { tou: NonNullable<TariffDefinition['tou']> }) {
  const { t } = useTranslation();
  const factors = (['peak', 'flat', 'valley', 'critical'] as const).filter((p) => tou.factors[p] !== undefined);
  return (
    <div>
      <Typography.Text strong>{t('tariffs.view.tou')}</Typography.Text>
      <div style={{ margin: '4px 0 8px' }}>{t('tariffs.view.touFormula', { floating: tou.floating.map((f) => t(`tariffs.component.${f}`)).join(' + ') })}</div>
      <Space size={8} wrap style={{ marginBottom: 8 }}>
        {factors.map((p) => (
          <Tag key={p} color={PERIOD_COLORS[p]} style={{ fontSize: 13 }}>
            {t(`tariffs.period.${p}`)} × {tou.factors[p]}
          </Tag>
        ))}
      </Space>
      <HourBar hours={tou.hours} />
      {tou.critical && (
        <div style={{ marginTop: 6, color: '#595959' }}>
          {t('tariffs.view.critical', { months: tou.critical.months.join('、'), hours: tou.critical.hours.map((h) => `${h.from}–${h.to}`).join('、') })}
        </div>
      )}
    </div>
  );
}

function BasicView({ basic: b }: { basic: NonNullable<TariffDefinition['basic']> }) {
  const { t } = useTranslation();
  const pct = (f: string) => `${Math.round(Number(f) * 100)}%`;
  return (
    <div>
      <Typography.Text strong>{t('tariffs.view.basic')}</Typography.Text>
      <Descriptions
        size="small"
        column={2}
        style={{ marginTop: 6, maxWidth: 620 }}
        items={[
          { key: 'c', label: t('tariffs.view.capacityPrice'), children: <span className="num">{`${b.capacityPricePerKva} ${t('tariffs.view.perKva')}`}</span> },
          { key: 'd', label: t('tariffs.view.demandPrice'), children: <span className="num">{`${b.demandPricePerKw} ${t('tariffs.view.perKw')}`}</span> },
        ]}
      />
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 20, color: '#595959' }}>
        <li>{t('tariffs.view.tolerance', { tolerance: b.demandTolerance, multiple: b.excessMultiplier, floor: pct(b.demandFloorOfCapacity) })}</li>
        {b.highLoadDiscount && (
          <li>
            {t('tariffs.view.discount', {
              kwh: b.highLoadDiscount.kwhPerKva,
              factor: pct(b.highLoadDiscount.factor),
              bases: b.highLoadDiscount.appliesTo.map((x) => t(x === 'demand' ? 'tariffs.view.demandPrice' : 'tariffs.view.capacityPrice')).join('、'),
            })}
          </li>
        )}
        <li>{t('tariffs.view.proration', { days: b.daysPerMonth })}</li>
      </ul>
    </div>
  );
}

/** "0.51" + "0.015" → "0.525", exactly (decimal strings are never added as floats). */
export function addDecimals(a: string, b: string): string {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const toInt = (s: string) => {
    const [i, f = ''] = s.replace('-', '').split('.');
    const v = BigInt(`${i}${f.padEnd(scale, '0')}`);
    return s.startsWith('-') ? -v : v;
  };
  const sum = toInt(a) + toInt(b);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return `${neg ? '-' : ''}${text}`;
}
