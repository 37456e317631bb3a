import { useApi } from '../app/api-context.js';
import { useResource } from '../app/use-resource.js';
import type { Metric, MetricType } from '../api/types.js';
import { DASH, LOCALE, formatAmount, formatInteger } from '../components/format.js';
import { Empty, ErrorState, Loading } from '../components/states.js';

const TYPE_LABEL: Record<MetricType, string> = { conversion: 'Conversion', revenue: 'Revenue', ratio: 'Ratio', funnel: 'Funnel' };

/** "Euro (EUR), e.g. €1,234.50", "items, e.g. 2.50 items"; a conversion or funnel metric is a share of units. */
export function measuredIn(metric: Pick<Metric, 'type' | 'unit' | 'currency'>): string {
  if (metric.currency) {
    let name = metric.currency;
    try {
      name = new Intl.DisplayNames(LOCALE, { type: 'currency' }).of(metric.currency) ?? metric.currency;
    } catch {
      // An unknown code keeps its letters.
    }
    return `${name} (${metric.currency}), e.g. ${formatAmount(1234.5, { currency: metric.currency })}`;
  }
  if (metric.unit) return `${metric.unit}, e.g. ${formatAmount(2.5, { unit: metric.unit })}`;
  if (metric.type === 'conversion' || metric.type === 'funnel') return 'share of units (%)';
  return 'no unit set';
}

function measures(metric: Metric): string {
  if (metric.type === 'funnel') return (metric.steps ?? []).join(' → ');
  if (metric.type === 'ratio' && metric.numerator && metric.denominator) {
    return `${metric.numerator.aggregate} of ${metric.numerator.eventName} ÷ ${metric.denominator.aggregate} of ${metric.denominator.eventName}`;
  }
  if (!metric.eventName) return DASH;
  return metric.type === 'revenue' ? `sum of ${metric.eventName} values per unit` : `units with ${metric.eventName}`;
}

/** The metrics experiments can use (GET /api/metrics), each with what it counts and in which unit or currency (#11). */
export function MetricsPage() {
  const api = useApi();
  const metrics = useResource((signal) => api.listMetrics(signal), [api]);
  return (
    <section className="page" aria-labelledby="metrics-title">
      <div className="page-head">
        <h1 id="metrics-title">Metrics</h1>
      </div>
      <p className="lead">Metrics are created and edited from the experiment form; this page lists what each one counts.</p>
      {metrics.state === 'loading' && <Loading label="Loading metrics…" />}
      {metrics.state === 'error' && <ErrorState error={metrics.error} title="Could not load metrics" onRetry={metrics.reload} />}
      {metrics.state === 'ready' &&
        (metrics.data.length === 0 ? (
          <Empty>
            <p>No metrics yet. Add one while creating an experiment.</p>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table table-stack">
              <caption className="visually-hidden">
                {metrics.data.length} metric{metrics.data.length === 1 ? '' : 's'}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col">Type</th>
                  <th scope="col">Measures</th>
                  <th scope="col">Measured in</th>
                  <th scope="col">Better when</th>
                  <th scope="col">Attribution window</th>
                </tr>
              </thead>
              <tbody>
                {metrics.data.map((m) => (
                  <tr key={m.key}>
                    <th scope="row" data-label="Metric">
                      {m.name}
                      <div className="muted small mono">{m.key}</div>
                    </th>
                    <td data-label="Type">{TYPE_LABEL[m.type]}</td>
                    <td data-label="Measures" className="small">
                      {measures(m)}
                    </td>
                    <td data-label="Measured in" data-slot="measured-in">
                      {measuredIn(m)}
                    </td>
                    <td data-label="Better when">{m.direction === 'decrease' ? 'lower' : 'higher'}</td>
                    <td data-label="Attribution window">{m.attributionHours === null ? 'until the experiment ends' : `${formatInteger(m.attributionHours)} h after exposure`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
