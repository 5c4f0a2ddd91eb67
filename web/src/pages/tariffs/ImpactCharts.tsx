import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Bucket } from './api';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

const UP = '#e8684a';
const DOWN = '#3ba272';
const SAME = '#9aa5b1';

/** Bucket bounds (fen, or basis points) in the unit people read: 元, or %. */
function bucketLabel(b: Bucket, unit: 'yuan' | 'percent', same: string): string {
  const show = (v: number) => (unit === 'yuan' ? (v / 100).toLocaleString() : `${v / 100}%`);
  if (b.from === 0 && b.to === 0) return same;
  if (b.from === null) return `< ${show(b.to!)}`;
  if (b.to === null) return `≥ ${show(b.from)}`;
  return `${show(b.from)} ~ ${show(b.to)}`;
}

/** One histogram of the change: bars coloured by direction, the no-change bar grey. */
export default function ImpactHistogram({ buckets, unit, testId }: { buckets: Bucket[]; unit: 'yuan' | 'percent'; testId?: string }) {
  const { t } = useTranslation();
  const households = t('tariffs.impact.households');
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 44, right: 12, top: 16, bottom: 64 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => `${Number(v).toLocaleString()} ${households}` },
      xAxis: {
        type: 'category',
        data: buckets.map((b) => bucketLabel(b, unit, t('tariffs.impact.zero'))),
        axisLabel: { rotate: 35, fontSize: 11, interval: 0 },
        axisTick: { alignWithLabel: true },
      },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { type: 'dashed' } } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 36,
          data: buckets.map((b) => ({
            value: b.count,
            itemStyle: { color: b.from === 0 && b.to === 0 ? SAME : (b.to ?? 1) <= 0 ? DOWN : UP },
          })),
          label: { show: true, position: 'top', fontSize: 11, formatter: (p: { value: number }) => (p.value ? p.value.toLocaleString() : '') },
        },
      ],
    }),
    [buckets, unit, t, households],
  );
  return (
    <div data-testid={testId}>
      <ReactEChartsCore echarts={echarts} option={option} style={{ height: 260 }} notMerge />
    </div>
  );
}
