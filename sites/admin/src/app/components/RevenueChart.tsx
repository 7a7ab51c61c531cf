// Revenue per day as a uPlot line chart, with the same numbers as a table for screen readers
// and keyboard users (the canvas itself is hidden from assistive technology).
import { createEffect, For, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useApp } from '../context.js';

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
  let holder: HTMLDivElement | undefined;
  let chart: uPlot | undefined;
  const dayFormat = new Intl.DateTimeFormat(app.tag, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  const digits = () =>
    new Intl.NumberFormat('en', { style: 'currency', currency: props.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;

  const draw = () => {
    if (!holder) return;
    chart?.destroy();
    const scale = 10 ** digits();
    const xs = props.points.map((p) => Date.parse(`${p.day}T12:00:00Z`) / 1000);
    const ys = props.points.map((p) => p.revenue / scale);
    chart = new uPlot(
      {
        width: Math.max(320, holder.clientWidth),
        height: 240,
        series: [
          {},
          {
            label: app.t('revenue'),
            stroke: '#0b5cad',
            fill: 'rgba(11, 92, 173, 0.12)',
            value: (_u, v) => (v == null ? '—' : app.money(Math.round(v * scale), props.currency)),
          },
        ],
        axes: [
          { values: (_u, ticks) => ticks.map((t) => dayFormat.format(new Date(t * 1000))) },
          {
            values: (_u, ticks) =>
              ticks.map((v) => app.money(Math.round(v * scale), props.currency)),
            size: 80,
          },
        ],
        legend: { show: false },
      },
      [xs, ys],
      holder,
    );
  };

  onMount(draw);
  createEffect(() => {
    void props.points;
    draw();
  });
  onCleanup(() => chart?.destroy());

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={holder} aria-hidden="true" />
      <details>
        <summary>{app.t('chartTable')}</summary>
        <table class="data">
          <caption class="visually-hidden">{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{app.t('day')}</th>
              <th scope="col" class="num">
                {app.t('revenue')}
              </th>
              <th scope="col" class="num">
                {app.t('orders')}
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={props.points}>
              {(point) => (
                <tr>
                  <th scope="row">{point.day}</th>
                  <td class="num">{app.money(point.revenue, props.currency)}</td>
                  <td class="num">{app.number(point.orders)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </details>
    </figure>
  );
}
