// A time series per day as a uPlot line chart, with the same numbers as a table for screen
// readers and keyboard users (the canvas itself is hidden from assistive technology). Series
// marked `plot: false` are columns of the table only.
import { createEffect, For, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useApp } from '../context.js';

export interface DaySeries {
  label: string;
  /** One value per day of `days`. */
  values: number[];
  /** The value as people read it (money, a count). */
  format: (value: number) => string;
  /** Drawn as a line (default), or only a column of the table. */
  plot?: boolean;
  stroke?: string;
  fill?: string;
}

export default function DayChart(props: { days: string[]; series: DaySeries[]; title: string }) {
  const app = useApp();
  let holder: HTMLDivElement | undefined;
  let chart: uPlot | undefined;
  const dayFormat = new Intl.DateTimeFormat(app.tag, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

  const draw = () => {
    if (!holder) return;
    chart?.destroy();
    const plotted = props.series.filter((s) => s.plot !== false);
    const first = plotted[0];
    if (!first) return;
    const xs = props.days.map((day) => Date.parse(`${day}T12:00:00Z`) / 1000);
    chart = new uPlot(
      {
        width: Math.max(320, holder.clientWidth),
        height: 240,
        series: [
          {},
          ...plotted.map((s) => ({
            label: s.label,
            stroke: s.stroke ?? '#0b5cad',
            fill: s.fill ?? 'rgba(11, 92, 173, 0.12)',
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : s.format(v)),
          })),
        ],
        axes: [
          { values: (_u, ticks) => ticks.map((t) => dayFormat.format(new Date(t * 1000))) },
          { values: (_u, ticks) => ticks.map((v) => first.format(v)), size: 80 },
        ],
        legend: { show: plotted.length > 1 },
      },
      [xs, ...plotted.map((s) => s.values)],
      holder,
    );
  };

  onMount(draw);
  createEffect(() => {
    void props.days;
    void props.series;
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
              <For each={props.series}>
                {(s) => (
                  <th scope="col" class="num">
                    {s.label}
                  </th>
                )}
              </For>
            </tr>
          </thead>
          <tbody>
            <For each={props.days}>
              {(day, index) => (
                <tr>
                  <th scope="row">{day}</th>
                  <For each={props.series}>
                    {(s) => <td class="num">{s.format(s.values[index()] ?? 0)}</td>}
                  </For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </details>
    </figure>
  );
}
