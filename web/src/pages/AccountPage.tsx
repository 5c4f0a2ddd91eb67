import { ArrowLeftOutlined, EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Result, Row, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { describeError } from '../api/errors';
import { useAccount, useOrgTree } from '../api/queries';
import type { Account, Contact, Contract, Meter } from '../api/types';
import { CATEGORY_COLORS, DASH, day, label, localName, PAYMENT_MODE_COLORS, quantity, STATUS_COLORS } from '../format';
import { AccountBills } from './billing/AccountBills';
import { AccountPayments } from './payments/AccountPayments';
import { TariffName } from './tariffs/TariffName';

// ECharts is the heaviest dependency: it loads only when a customer page is opened.
const ReadingsPanel = lazy(() => import('./account/ReadingsPanel'));
const AccountFeeCard = lazy(() => import('./feecontrol/AccountFeeCard'));

const PROTECTIONS = ['isImportant', 'isMedical', 'isHeatingCompany', 'isVulnerable'] as const;
const PROTECTION_COLORS: Record<(typeof PROTECTIONS)[number], string> = {
  isImportant: 'red',
  isMedical: 'magenta',
  isHeatingCompany: 'volcano',
  isVulnerable: 'orange',
};

// Labels on one line; codes and numbers in the values stay whole (the table widens their column instead).
const DESCRIPTION_STYLES = { label: { whiteSpace: 'nowrap' as const }, content: { wordBreak: 'normal' as const, overflowWrap: 'normal' as const } };

/** The customer page: who they are, how they are supplied and metered, and what they consume. */
export function AccountPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const id = Number(useParams().id);
  const [unmask, setUnmask] = useState(false);
  const query = useAccount(id, unmask);
  const account = query.data;
  const tree = useOrgTree();
  const station = tree.data?.stations.find((s) => s.id === account?.stationId);

  useEffect(() => {
    document.title = account ? `${account.accountNo} ${account.name} · ${t('app.name')}` : t('app.name');
  }, [account, t]);
  // A different account starts masked again.
  useEffect(() => setUnmask(false), [id]);

  if (!Number.isInteger(id) || id <= 0 || (query.error instanceof ApiError && query.error.status === 404)) {
    return (
      <Result
        status="404"
        title={t('error.NOT_FOUND')}
        subTitle={t('account.notFound')}
        data-testid="account-not-found"
        extra={
          <Link to="/customers">
            <Button type="primary">{t('account.backToSearch')}</Button>
          </Link>
        }
      />
    );
  }
  if (query.isError && !account) {
    return <Result status="error" title={t('error.title')} subTitle={describeError(query.error)} extra={<Button onClick={() => void query.refetch()}>{t('common.retry')}</Button>} />;
  }
  if (!account) return <Card><Skeleton active paragraph={{ rows: 10 }} /></Card>;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card variant="borderless" styles={{ body: { padding: '12px 20px' } }}>
        <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
          <Tooltip title={t('account.back')}>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => (window.history.length > 1 ? navigate(-1) : navigate('/customers'))} />
          </Tooltip>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="account-title">
            <span className="mono">{account.accountNo}</span>
            <span style={{ marginLeft: 12 }}>{account.name}</span>
          </Typography.Title>
          <Space size={[4, 4]} wrap>
            <Tag color={STATUS_COLORS[account.status] ?? 'default'}>{label(t, 'status', account.status)}</Tag>
            <Tag color={CATEGORY_COLORS[account.category]}>{label(t, 'category', account.category)}</Tag>
            <Tag color={PAYMENT_MODE_COLORS[account.paymentMode]}>{label(t, 'paymentMode', account.paymentMode)}</Tag>
            {PROTECTIONS.filter((p) => account[p]).map((p) => (
              <Tag key={p} color={PROTECTION_COLORS[p]} data-testid={`protection-${p}`}>
                {t(`account.protection.${p}`)}
              </Tag>
            ))}
            {account.sharedMeter && <Tag>{t('account.sharedMeter')}</Tag>}
          </Space>
          <div style={{ flex: 1 }} />
          {account.canUnmask && (
            <Tooltip title={t('account.unmaskAudited')}>
              <Button
                icon={unmask ? <EyeInvisibleOutlined /> : <EyeOutlined />}
                loading={query.isFetching}
                onClick={() => setUnmask(!unmask)}
                data-testid="unmask"
              >
                {unmask ? t('account.hideFull') : t('account.showFull')}
              </Button>
            </Tooltip>
          )}
        </div>
      </Card>

      <Card size="small" title={t('account.accountInfo')}>
        <Descriptions bordered size="small" column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 4 }} styles={DESCRIPTION_STYLES} items={accountItems(account, t, station ? localName(station) : account.stationName)} />
      </Card>

      <AccountPayments accountId={account.id} accountNo={account.accountNo} accountName={account.name} />

      {account.paymentMode !== 'postpaid' && (
        <Suspense fallback={<Card size="small"><Skeleton active /></Card>}>
          <AccountFeeCard accountId={account.id} />
        </Suspense>
      )}

      <AccountBills accountId={account.id} />

      <Suspense fallback={<Card size="small"><Skeleton active /></Card>}>
        <ReadingsPanel account={account} />
      </Suspense>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('account.customerInfo')} style={{ height: '100%' }}>
            <Descriptions bordered size="small" column={1} styles={DESCRIPTION_STYLES} items={customerItems(account, t)} />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('account.contacts')} style={{ height: '100%' }}>
            <Table<Contact> size="small" rowKey="id" pagination={false} dataSource={account.contacts} columns={contactColumns(t)} />
          </Card>
        </Col>
      </Row>

      <Card size="small" title={t('account.meters')}>
        <Table<Meter> size="small" rowKey="id" pagination={false} dataSource={account.meters} columns={meterColumns(t)} scroll={{ x: 760 }} />
      </Card>

      <Card size="small" title={t('account.contracts')}>
        <Table<Contract> size="small" rowKey="id" pagination={false} dataSource={account.contracts} columns={contractColumns(t)} scroll={{ x: 900 }} />
      </Card>
    </Space>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

function accountItems(a: Account, t: T, stationName: string): DescriptionsProps['items'] {
  const f = (key: string) => t(`account.field.${key}`);
  return [
    { key: 'tariffCode', label: f('tariffCode'), children: <TariffName code={a.tariffCode} /> },
    { key: 'voltageLevel', label: f('voltageLevel'), children: a.voltageLevel ?? DASH },
    { key: 'capacityKva', label: f('capacityKva'), children: <span className="num">{quantity(a.capacityKva, 'kVA')}</span> },
    { key: 'contractDemandKw', label: f('contractDemandKw'), children: <span className="num">{quantity(a.contractDemandKw, 'kW')}</span> },
    { key: 'pfStandard', label: f('pfStandard'), children: a.pfStandard ?? DASH },
    { key: 'basicChargeBasis', label: f('basicChargeBasis'), children: label(t, 'account.basis', a.basicChargeBasis) },
    { key: 'agentMultiplier', label: f('agentMultiplier'), children: <span className="num">{quantity(a.agentMultiplier)}</span> },
    { key: 'behaviourProfile', label: f('behaviourProfile'), children: label(t, 'account.profile', a.behaviourProfile) },
    { key: 'station', label: f('station'), children: stationName },
    { key: 'area', label: f('area'), children: a.areaName },
    { key: 'manager', label: f('manager'), children: a.managerName ?? DASH },
    { key: 'openedOn', label: f('openedOn'), children: day(a.openedOn) },
    { key: 'phone', label: f('phone'), children: <span className="mono">{a.phone ?? DASH}</span> },
    { key: 'meterNo', label: t('column.meterNo'), children: <span className="mono">{a.meterNo ?? DASH}</span> },
    { key: 'address', label: f('address'), children: a.address ?? DASH, span: 'filled' },
  ];
}

function customerItems(a: Account, t: T): DescriptionsProps['items'] {
  const f = (key: string) => t(`account.field.${key}`);
  const c = a.customer;
  return [
    { key: 'customerNo', label: f('customerNo'), children: <span className="mono">{c.customerNo}</span> },
    { key: 'customerName', label: f('customerName'), children: c.name },
    { key: 'customerKind', label: f('customerKind'), children: label(t, 'account.kind', c.kind) },
    { key: 'idNumber', label: f('idNumber'), children: <span className="mono" data-testid="customer-id-number">{c.idNumber ?? DASH}</span> },
    { key: 'phone', label: f('phone'), children: <span className="mono">{c.phone ?? DASH}</span> },
    { key: 'customerAddress', label: f('customerAddress'), children: c.address ?? DASH },
  ];
}

function contactColumns(t: T): ColumnsType<Contact> {
  return [
    {
      title: t('contact.name'),
      dataIndex: 'name',
      render: (v: string, row) => (
        <Space size={4}>
          {v}
          {row.isPrimary && <Tag color="blue">{t('contact.primary')}</Tag>}
        </Space>
      ),
    },
    { title: t('contact.role'), dataIndex: 'role', render: (v: string) => label(t, 'contact.roles', v) },
    { title: t('contact.phone'), dataIndex: 'phone', render: (v: string | null) => <span className="mono">{v ?? DASH}</span> },
  ];
}

function meterColumns(t: T): ColumnsType<Meter> {
  return [
    { title: t('meter.meterNo'), dataIndex: 'meterNo', render: (v: string) => <span className="mono">{v}</span> },
    {
      title: t('meter.registers'),
      dataIndex: 'registers',
      render: (regs: string[]) => (
        <Space size={[2, 2]} wrap>
          {regs.map((r) => (
            <Tag key={r} style={{ marginInlineEnd: 0 }}>
              {label(t, 'meter.register', r)}
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: t('meter.multiplier'), dataIndex: 'multiplier', align: 'right', render: (v: string | number) => <span className="num">{String(v)}</span> },
    { title: t('meter.smart'), dataIndex: 'smart', render: (v: boolean) => (v ? t('common.yes') : t('common.no')) },
    { title: t('meter.installedOn'), dataIndex: 'installedOn', render: (v: string) => day(v) },
    { title: t('meter.status'), dataIndex: 'status', render: (v: string) => <Tag color={STATUS_COLORS[v] ?? 'default'}>{label(t, 'status', v)}</Tag> },
  ];
}

function contractColumns(t: T): ColumnsType<Contract> {
  return [
    { title: t('contract.contractNo'), dataIndex: 'contractNo', render: (v: string) => <span className="mono">{v}</span> },
    { title: t('contract.kind'), dataIndex: 'kind', render: (v: string) => label(t, 'contract.kinds', v) },
    { title: t('contract.signedOn'), dataIndex: 'signedOn', render: (v: string) => day(v) },
    { title: t('contract.startsOn'), dataIndex: 'startsOn', render: (v: string) => day(v) },
    { title: t('contract.endsOn'), dataIndex: 'endsOn', render: (v: string | null) => day(v) },
    { title: t('contract.dueDay'), dataIndex: 'dueDay', render: (v: number | null) => (v ? t('contract.dueDayValue', { day: v }) : DASH) },
    { title: t('contract.terms'), dataIndex: 'terms', ellipsis: true, render: (v: unknown) => <Terms value={v} /> },
  ];
}

/** Contract terms are free-form: text as is, an object as "key: value" pairs. */
function Terms({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <>{DASH}</>;
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
            .join('; ')
        : JSON.stringify(value);
  return (
    <Tooltip title={text} placement="topLeft">
      <span>{text}</span>
    </Tooltip>
  );
}
