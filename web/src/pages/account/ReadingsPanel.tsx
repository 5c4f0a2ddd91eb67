import { Alert, Card, Col, Empty, Row, Skeleton } from 'antd';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useReads } from '../../api/queries';
import type { Account } from '../../api/types';
import { isoDay } from '../../format';
import { BRAND } from '../../theme';
import { addMonths, dailySeries, monthlySeries } from './readings';

// Only the pieces drawn here, so the chart chunk stays small.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const COLORS = { peak: '#e8684a', flat: '#f6bd16', valley: '#5b8ff9', untou: '#9aa5b1', total: BRAND };
const MONTHS = 24;
const DAYS = 60;

/** The readings block of the customer page: 24 months of cycle reads, and 60 days of daily reads for smart prepaid. */
export default function ReadingsPanel({ account }: { account: Account }) {
  const { t } = useTranslation();
  const today = new Date();
  const to = isoDay(today);
  // One month more than shown: the first read of the window only serves as the baseline of the next one.
  const monthFrom = `${addMonths(to.slice(0, 7), -MONTHS)}-01`;
  const dayFrom = isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - DAYS + 1));
  const wantsDaily = account.paymentMode === 'smart_prepaid' || account.meters.some((m) => m.smart);

  const cycle = useReads(account.id, 'cycle', monthFrom, to);
  const daily = useReads(account.id, 'daily', dayFrom, to, wantsDaily);

  const monthly = useMemo(() => monthlySeries(cycle.data?.items ?? [], account.meters, MONTHS), [cycle.data, account.meters]);
  const days = useMemo(() => dailySeries(daily.data?.items ?? [], dayFrom, to), [daily.data, dayFrom, to]);
  const showDaily = account.paymentMode === 'smart_prepaid' || days.days.length > 0;

  const kwh = t('chart.kwh');
  const estimatedNote = t('chart.estimated');

  const monthlyOption = useMemo(() => {
    const bar = (name: string, data: Array<number | null>, color: string) => ({
      name,
      type: 'bar' as const,
      stack: 'kwh',
      data,
      itemStyle: { color },
      barMaxWidth: 28,
      emphasis: { focus: 'series' as const },
    });
    const series = monthly.tou
      ? [
          bar(t('chart.peak'), monthly.peak, COLORS.peak),
          bar(t('chart.flat'), monthly.flat, COLORS.flat),
          bar(t('chart.valley'), monthly.valley, COLORS.valley),
          ...(monthly.untou.some((v) => v !== null) ? [bar(t('chart.untou'), monthly.untou, COLORS.untou)] : []),
        ]
      : [bar(t('chart.total'), monthly.total, COLORS.total)];
    return {
      animation: false,
      grid: { left: 56, right: 16, top: 36, bottom: 28 },
      legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 10 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v: unknown) => (v === null || v === undefined || v === '-' ? '—' : `${Number(v).toLocaleString()} ${kwh}`),
      },
      xAxis: {
        type: 'category',
        data: monthly.months.map((m, i) => (monthly.estimated[i] ? `${m}*` : m)),
        axisTick: { alignWithLabel: true },
      },
      yAxis: { type: 'value', name: kwh, nameTextStyle: { align: 'right' }, splitLine: { lineStyle: { type: 'dashed' } } },
      series,
    };
  }, [monthly, t, kwh]);

  const dailyOption = useMemo(
    () => ({
      animation: false,
      grid: { left: 56, right: 16, top: 24, bottom: 28 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : `${Number(v).toLocaleString()} ${kwh}`) },
      xAxis: { type: 'category', data: days.days.map((d) => d.slice(5)), boundaryGap: false },
      yAxis: { type: 'value', name: kwh, nameTextStyle: { align: 'right' }, splitLine: { lineStyle: { type: 'dashed' } } },
      series: [
        {
          name: t('chart.total'),
          type: 'line',
          data: days.total,
          smooth: 0.3,
          showSymbol: false,
          connectNulls: false,
          itemStyle: { color: BRAND },
          areaStyle: { color: 'rgba(0,112,107,0.12)' },
        },
      ],
    }),
    [days, t, kwh],
  );

  const anyEstimated = monthly.estimated.some(Boolean);

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xxl={showDaily ? 14 : 24}>
        <Card size="small" title={t('chart.monthly')} extra={anyEstimated ? <span style={{ fontSize: 12, color: '#888' }}>* {estimatedNote}</span> : null}>
          {cycle.isPending ? (
            <Skeleton active />
          ) : cycle.isError ? (
            <Alert type="error" showIcon title={t('error.title')} />
          ) : monthly.months.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chart.noData')} />
          ) : (
            <div data-testid="readings-chart">
              <ReactEChartsCore echarts={echarts} option={monthlyOption} notMerge style={{ height: 300 }} />
            </div>
          )}
        </Card>
      </Col>
      {showDaily && (
        <Col xs={24} xxl={10}>
          <Card size="small" title={t('chart.daily')}>
            {daily.isPending ? (
              <Skeleton active />
            ) : days.days.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chart.noData')} />
            ) : (
              <div data-testid="daily-chart">
                <ReactEChartsCore echarts={echarts} option={dailyOption} notMerge style={{ height: 300 }} />
              </div>
            )}
          </Card>
        </Col>
      )}
    </Row>
  );
}
