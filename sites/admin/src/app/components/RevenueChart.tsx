// Revenue per day (the dashboard's chart): revenue drawn, the paid orders beside it in the table.
import { useApp } from '../context.js';
import DayChart from './DayChart.js';

export interface RevenuePoint {
  day: string;
  /** Minor units. */
  revenue: number;
  orders: number;
}

export default function RevenueChart(props: {
  points: RevenuePoint[];
  currency: string;
  title: string;
}) {
  const app = useApp();
  return (
    <DayChart
      title={props.title}
      days={props.points.map((p) => p.day)}
      series={[
        {
          label: app.t('revenue'),
          values: props.points.map((p) => p.revenue),
          format: (v) => app.money(Math.round(v), props.currency),
        },
        {
          label: app.t('orders'),
          values: props.points.map((p) => p.orders),
          format: (v) => app.number(v),
          plot: false,
        },
      ]}
    />
  );
}
