import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useAccountSearch, useOrgTree } from '../api/queries';
import { CATEGORIES, PAYMENT_MODES, type AccountFilters, type AccountSummary } from '../api/types';
import { CATEGORY_COLORS, DASH, label, localName, PAYMENT_MODE_COLORS, STATUS_COLORS } from '../format';
import { describeScope, filtersFromParams, paramsFromFilters } from '../scope';
import { TariffName } from './tariffs/TariffName';

const TYPING_DELAY_MS = 400;

/** 客户查询: one box for account no., name, meter no. or phone; filters; the scope from the tree. */
export function CustomerSearchPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const tree = useOrgTree();
  const search = useAccountSearch(filters);

  const [text, setText] = useState(filters.q ?? '');
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The URL is the truth: when it changes from outside (back button, tree), the box follows.
  useEffect(() => setText(filters.q ?? ''), [filters.q]);
  useEffect(() => () => clearTimeout(typing.current ?? undefined), []);
  useEffect(() => {
    document.title = `${t('search.title')} · ${t('app.name')}`;
  }, [t]);

  const update = (patch: Partial<AccountFilters>, replace = false) => {
    const next = { ...filters, ...patch };
    for (const key of Object.keys(next) as Array<keyof AccountFilters>) if (next[key] === undefined || next[key] === '') delete next[key];
    setParams(paramsFromFilters(next), { replace });
  };
  const submitText = (value: string, replace = false) => {
    clearTimeout(typing.current ?? undefined);
    const q = value.trim();
    if (q !== (filters.q ?? '')) update({ q: q || undefined }, replace);
  };

  const rows = useMemo(() => search.data?.pages.flatMap((p) => p.items) ?? [], [search.data]);
  const total = search.data?.pages[0]?.total;
  const scopeLabel = describeScope(filters, tree.data, localName);
  const anyFilter = Boolean(filters.q || filters.category || filters.paymentMode || scopeLabel);

  // A column whose value is the same on every row of the user's scope (their one station, themselves) says nothing.
  const stations = tree.data?.stations ?? [];
  const singleStation = stations.length === 1;
  const singleManager = new Set(stations.flatMap((s) => s.managers.map((m) => m.userId))).size === 1;
  const stationNames = new Map(stations.map((s) => [s.id, localName(s)]));
  // English labels are longer than Chinese ones.
  const wide = (zh: number, en: number) => (i18n.language === 'en-US' ? en : zh);

  const allColumns: Array<ColumnsType<AccountSummary>[number] & { key: string }> = [
    {
      key: 'accountNo',
      title: t('column.accountNo'),
      dataIndex: 'accountNo',
      width: 120,
      fixed: 'left',
      render: (value: string, row) => (
        <Link to={`/accounts/${row.id}`} className="mono" onClick={(e) => e.stopPropagation()}>
          {value}
        </Link>
      ),
    },
    {
      key: 'name',
      title: t('column.name'),
      dataIndex: 'name',
      width: 170,
      ellipsis: true,
      // Nearly every account is active; only the exceptions carry a tag (saves a column).
      render: (v: string, row) => (
        <>
          {row.status !== 'active' && (
            <Tag color={STATUS_COLORS[row.status] ?? 'default'} style={{ marginInlineEnd: 4 }}>
              {label(t, 'status', row.status)}
            </Tag>
          )}
          {v}
        </>
      ),
    },
    {
      key: 'category',
      title: t('column.category'),
      dataIndex: 'category',
      width: wide(100, 124),
      render: (v: string) => <Tag color={CATEGORY_COLORS[v]}>{label(t, 'category', v)}</Tag>,
    },
    {
      key: 'paymentMode',
      title: t('column.paymentMode'),
      dataIndex: 'paymentMode',
      width: wide(100, 168),
      render: (v: string) => <Tag color={PAYMENT_MODE_COLORS[v]}>{label(t, 'paymentMode', v)}</Tag>,
    },
    { key: 'tariffCode', title: t('column.tariffCode'), dataIndex: 'tariffCode', width: 180, ellipsis: true, render: (v: string) => <TariffName code={v} /> },
    {
      key: 'station',
      title: t('column.station'),
      dataIndex: 'stationName',
      width: wide(120, 150),
      ellipsis: true,
      render: (v: string, row) => stationNames.get(row.stationId) ?? v,
    },
    { key: 'area', title: t('column.area'), dataIndex: 'areaName', width: wide(120, 150), ellipsis: true },
    { key: 'manager', title: t('column.manager'), dataIndex: 'managerName', width: wide(90, 120), render: (v: string | null) => v ?? DASH },
    { key: 'phone', title: t('column.phone'), dataIndex: 'phone', width: 116, render: (v: string | null) => <span className="mono">{v ?? DASH}</span> },
    { key: 'meterNo', title: t('column.meterNo'), dataIndex: 'meterNo', width: 160, ellipsis: true, render: (v: string | null) => <span className="mono">{v ?? DASH}</span> },
  ];
  const columns = allColumns.filter((c) => !(c.key === 'station' && singleStation) && !(c.key === 'manager' && singleManager));
  const tableWidth = columns.reduce((sum, c) => sum + Number(c.width ?? 100), 0);

  return (
    <Card
      title={t('search.title')}
      variant="borderless"
      styles={{ body: { padding: '12px 16px 16px' } }}
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void search.refetch()} loading={search.isRefetching && !search.isFetchingNextPage} />
      }
    >
      <Space wrap size={[8, 8]} style={{ marginBottom: 12 }}>
        {/* A plain Input (not Input.Search) so data-testid lands on the <input> itself. */}
        <Space.Compact style={{ width: 400 }}>
          <Input
            value={text}
            onChange={(e) => {
              const value = e.target.value;
              setText(value);
              clearTimeout(typing.current ?? undefined);
              typing.current = setTimeout(() => submitText(value, true), TYPING_DELAY_MS);
            }}
            onPressEnter={() => submitText(text)}
            placeholder={t('search.placeholder')}
            prefix={<SearchOutlined style={{ color: '#8c959f' }} />}
            allowClear
            autoFocus
            aria-label={t('search.placeholder')}
            data-testid="customer-search"
          />
          <Button type="primary" onClick={() => submitText(text)} loading={search.isFetching && !search.isFetchingNextPage} data-testid="customer-search-submit">
            {t('search.button')}
          </Button>
        </Space.Compact>
        <Select
          allowClear
          placeholder={t('search.allCategories')}
          aria-label={t('search.category')}
          style={{ width: wide(150, 190) }}
          value={filters.category}
          onChange={(category) => update({ category })}
          options={CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))}
          data-testid="filter-category"
        />
        <Select
          allowClear
          placeholder={t('search.allPaymentModes')}
          aria-label={t('search.paymentMode')}
          style={{ width: wide(150, 190) }}
          value={filters.paymentMode}
          onChange={(paymentMode) => update({ paymentMode })}
          options={PAYMENT_MODES.map((m) => ({ value: m, label: t(`paymentMode.${m}`) }))}
          data-testid="filter-payment-mode"
        />
        {scopeLabel && (
          <Tag
            closable
            color="cyan"
            style={{ padding: '4px 8px', fontSize: 13 }}
            onClose={(e) => {
              e.preventDefault();
              update({ stationId: undefined, areaId: undefined, managerUserId: undefined });
            }}
            data-testid="scope-tag"
          >
            {t('search.scope')}：{[scopeLabel.station, scopeLabel.manager, scopeLabel.area].filter(Boolean).join(' / ')}
          </Tag>
        )}
        {anyFilter && (
          <Button type="link" onClick={() => setParams(new URLSearchParams())}>
            {t('search.reset')}
          </Button>
        )}
      </Space>

      <Table<AccountSummary>
        className="clickable-rows"
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={search.isPending || (search.isFetching && search.isPlaceholderData)}
        pagination={false}
        scroll={{ x: tableWidth }}
        sticky={{ offsetHeader: 52 }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={search.isError ? DASH : t('search.empty')} /> }}
        onRow={(row) =>
          ({
            'data-testid': 'customer-row',
            onClick: () => navigate(`/accounts/${row.id}`),
          }) as HTMLAttributes<HTMLElement>
        }
      />

      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginTop: 12 }}>
        <Typography.Text type="secondary" data-testid="search-count">
          {rows.length > 0 &&
            (total !== undefined ? t('search.loadedOfTotal', { count: rows.length, total }) : t('search.loaded', { count: rows.length }))}
        </Typography.Text>
        {search.hasNextPage ? (
          <Button onClick={() => void search.fetchNextPage()} loading={search.isFetchingNextPage} data-testid="load-more">
            {t('search.loadMore')}
          </Button>
        ) : (
          rows.length > 0 && <Typography.Text type="secondary">{t('search.noMore')}</Typography.Text>
        )}
      </div>
    </Card>
  );
}
