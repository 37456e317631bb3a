import type { WebhookEvent } from './events.js';

/** One sentence per event type, for people reading a Slack channel. */
export function describeEvent(event: WebhookEvent): string {
  const { experiment } = event.data;
  const name = `"${experiment.name}" (${experiment.key})`;
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'experiment.started':
      return `Experiment ${name} started.`;
    case 'experiment.paused':
      return `Experiment ${name} was paused.`;
    case 'experiment.stopped':
      return `Experiment ${name} stopped${d.winner ? ` with winner "${String(d.winner)}"` : ' without a winner'}${d.rollout ? '; the winner is now served to everyone' : ''}.`;
    case 'experiment.decision_changed':
      return `Experiment ${name}: decision is now "${String(d.status)}"${d.previousStatus ? ` (was "${String(d.previousStatus)}")` : ''}${d.recommendedVariant ? `, recommended variant "${String(d.recommendedVariant)}"` : ''}.`;
    case 'experiment.srm_detected':
      return `Experiment ${name}: sample-ratio mismatch detected (p = ${typeof d.pValue === 'number' ? d.pValue.toPrecision(2) : 'n/a'}). Traffic is not split as configured; do not trust its results until the cause is found.`;
    case 'experiment.guardrail_harmed':
      return `Experiment ${name}: guardrail metric "${String(d.metric)}" is harmed by variant "${String(d.variant)}".`;
    case 'experiment.rollout_ended':
      return `Experiment ${name}: the rollout of "${String((d.rollout as { variantKey?: unknown } | null)?.variantKey)}" ended; everyone is back to the default experience.`;
  }
}

/**
 * The exact body sent: the event itself (`json`), or a Slack incoming-webhook message (`slack`) whose
 * `text` is the fallback notification and whose block repeats it in Markdown.
 */
export function renderBody(format: 'json' | 'slack', event: WebhookEvent): string {
  if (format === 'json') return JSON.stringify(event);
  const text = describeEvent(event);
  return JSON.stringify({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
}
