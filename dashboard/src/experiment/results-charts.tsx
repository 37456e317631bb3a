import { Area, Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DailyPoint, FunnelStep, MetricResult } from '../api/results-types.js';
import { DASH, formatDay, formatInteger, formatPercent, interval, percent, signedPercent } from '../components/format.js';
import { intervalName } from './results-format.js';

const COLORS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c'];
const CONTROL_COLOR = '#6b7280';

const pct = (x: number) => formatPercent(x, 1);

/*
 * Accessibility: each chart is a picture of a table that follows it, so the picture is hidden from
 * assistive technology (aria-hidden) and must hold nothing focusable — Recharts' keyboard layer
 * (accessibilityLayer, on by default in v3) made the SVG a tab stop inside an aria-hidden box, which
 * a keyboard user reached with nothing announced. The table carries the same figures.
 */

/** Cumulative relative lift per treatment by day, with its interval band; a hidden table says the same. */
export function CumulativeLiftChart({ metric, days, names, level, sequential }: { metric: MetricResult; days: DailyPoint[]; names: Map<string, string>; level: string; sequential: boolean }) {
  const treatments = (days.at(-1)?.variants ?? []).filter((v) => v.lift).map((v) => v.key);
  const data = days.map((d) => {
    const row: Record<string, unknown> = { date: formatDay(d.date) };
    for (const v of d.variants) {
      if (!v.lift) continue;
      row[`lift:${v.key}`] = v.lift.estimate;
      // An unbounded end (null) has no band that day.
      row[`band:${v.key}`] = v.lift.ci && v.lift.ci[0] !== null && v.lift.ci[1] !== null ? v.lift.ci : null;
    }
    return row;
  });
  return (
    <figure className="chart" aria-labelledby="cumulative-title" data-testid="cumulative-chart">
      <figcaption id="cumulative-title">
        <strong>Cumulative lift over time</strong> — {metric.name}, relative to control, with its {intervalName(level, sequential)} (band)
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height={260}>
          <ComposedChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="date" tick={{ fontSize: 12 }} />
            <YAxis tickFormatter={pct} tick={{ fontSize: 12 }} width={52} />
            <ReferenceLine y={0} stroke="#111827" />
            <Tooltip formatter={(value) => (Array.isArray(value) ? value.map((x) => pct(Number(x))).join(' to ') : pct(Number(value)))} />
            <Legend />
            {treatments.map((key, i) => (
              <Area
                key={`band-${key}`}
                type="monotone"
                dataKey={`band:${key}`}
                name={`${names.get(key) ?? key} interval`}
                stroke="none"
                fill={COLORS[i % COLORS.length]}
                fillOpacity={0.18}
                isAnimationActive={false}
              />
            ))}
            {treatments.map((key, i) => (
              <Line
                key={`lift-${key}`}
                type="monotone"
                dataKey={`lift:${key}`}
                name={`${names.get(key) ?? key} lift`}
                stroke={COLORS[i % COLORS.length]}
                strokeWidth={2}
                dot={{ r: 3 }}
                isAnimationActive={false}
              />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <details className="chart-table small">
        <summary>The figures as a table</summary>
        <div className="table-wrap">
      <table className="table" data-testid="cumulative-table">
        <caption className="visually-hidden">Cumulative lift of {metric.name} by day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {treatments.map((key) => (
              <th key={key} scope="col">
                {names.get(key) ?? key}: lift ({intervalName(level, sequential)})
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.date}>
              <th scope="row">{formatDay(d.date)}</th>
              {treatments.map((key) => {
                const lift = d.variants.find((v) => v.key === key)?.lift;
                return <td key={key}>{lift ? `${signedPercent(lift.estimate)} ${interval(lift.ci)}` : DASH}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
        </div>
      </details>
    </figure>
  );
}

/** Share of units reaching each step, per variant (bars), with the step-by-step drop-off in a table. */
export function FunnelChart({ metric, steps, names, collecting }: { metric: MetricResult; steps: FunnelStep[]; names: Map<string, string>; collecting: boolean }) {
  const variants = steps[0]?.variants.map((v) => v.key) ?? [];
  const data = steps.map((s) => {
    const row: Record<string, unknown> = { step: `${s.step}. ${s.eventName}` };
    for (const v of s.variants) row[v.key] = v.rateOverall;
    return row;
  });
  const id = `funnel-${metric.key}`;
  return (
    <figure className="chart" aria-labelledby={id} data-testid="funnel-chart">
      <figcaption id={id}>
        <strong>Funnel</strong> — share of exposed units reaching each step, per variant
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="step" tick={{ fontSize: 11 }} interval={0} />
            <YAxis tickFormatter={pct} tick={{ fontSize: 12 }} width={52} />
            <Tooltip formatter={(value) => pct(Number(value))} />
            <Legend />
            {variants.map((key, i) => (
              <Bar key={key} dataKey={key} name={names.get(key) ?? key} fill={i === 0 ? CONTROL_COLOR : COLORS[(i - 1) % COLORS.length]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <div className="table-wrap">
        <table className="table funnel-table">
          <caption className="visually-hidden">Funnel steps of {metric.name} per variant: units, share of exposed units, share of the previous step and drop-off</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              {variants.map((key) => (
                <th key={key} scope="col">
                  {names.get(key) ?? key}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {steps.map((s) => (
              <tr key={s.step}>
                <th scope="row">
                  {s.step}. <span className="mono">{s.eventName}</span>
                </th>
                {s.variants.map((v) => (
                  <td key={v.key}>
                    {formatInteger(v.units)} ({percent(v.rateOverall)} of exposed)
                    <br />
                    <span className="small">
                      {percent(v.rateFromPrevious)} of previous · drop-off {v.rateFromPrevious === null ? DASH : percent(1 - v.rateFromPrevious)}
                    </span>
                    {v.comparison && (
                      <>
                        <br />
                        <span className="small muted">
                          lift {signedPercent(v.comparison.relativeLift.estimate)} {interval(v.comparison.relativeLift.ci)}
                          {v.comparison.significant && !collecting ? ' · significant' : ''}
                        </span>
                      </>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
