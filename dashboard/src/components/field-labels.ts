/**
 * Human names for the API's field paths, wherever a field is named to a user: the History's changed
 * fields, the form's error summary, validation messages from the server ("minimumDetectableEffect:
 * must be…" reads "Minimum detectable effect: must be…"). A field not listed here is spelled out from
 * its camelCase name, so a raw identifier never reaches the screen.
 */

const LABELS: Record<string, string> = {
  key: 'Key',
  name: 'Name',
  hypothesis: 'Hypothesis',
  description: 'Description',
  touchpointKey: 'Touchpoint',
  status: 'Status',
  variants: 'Variants',
  weight: 'weight',
  payload: 'payload',
  coverage: 'Coverage',
  targeting: 'Targeting',
  namespace: 'Namespace',
  salt: 'Salt',
  primaryMetric: 'Primary metric',
  secondaryMetrics: 'Secondary metrics',
  guardrailMetrics: 'Guardrail metrics',
  alpha: 'Significance level (alpha)',
  correction: 'Multiple-comparison correction',
  sequential: 'Sequential testing',
  tuningParameter: 'tuning parameter N*',
  minimumDetectableEffect: 'Minimum detectable effect',
  minimumDays: 'Minimum days before a decision',
  stickyBucketing: 'Sticky bucketing',
  decision: 'Decision',
  winner: 'Winner',
  note: 'Note',
  phase: 'Phase',
  newPhase: 'New phase',
  startedAt: 'Started',
  stoppedAt: 'Stopped',
  archivedAt: 'Archived',
  eventName: 'Event name',
  steps: 'Steps',
  numerator: 'Numerator',
  denominator: 'Denominator',
  aggregate: 'aggregate',
  attributionHours: 'Attribution window (hours)',
  direction: 'Direction',
  guardrailMargin: 'Guardrail margin',
  unit: 'Unit',
  currency: 'Currency',
  type: 'Type',
  kind: 'Kind',
  funnelStage: 'Funnel stage',
  urlPattern: 'URL pattern',
  url: 'Address',
  events: 'Events',
  format: 'Format',
  role: 'Role',
  segment: 'Segment',
  segmentMetric: 'Segment metric',
  range: 'Range',
  id: 'Id',
  version: 'Version',
};

/** "minimumDetectableEffect" → "Minimum detectable effect"; "snake_case" → "Snake case". */
function spellOut(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const labelOf = (part: string) => LABELS[part] ?? spellOut(part);
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * The label of a dotted field path: `minimumDetectableEffect` → "Minimum detectable effect",
 * `variants.1.weight` → "Variant 2 weight", `sequential.tuningParameter` → "Sequential testing:
 * tuning parameter N*". Array indexes count from one, as people do.
 */
export function fieldLabel(path: string): string {
  if (path === '') return 'Request';
  const parts = path.split('.');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next = parts[i + 1];
    if (next !== undefined && /^\d+$/.test(next)) {
      // "variants.1" → "Variant 2"; "secondaryMetrics.0" → "Secondary metrics 1".
      const label = labelOf(part);
      out.push(`${label.endsWith('s') && part !== 'steps' ? label.slice(0, -1) : label} ${Number(next) + 1}`);
      i++;
      continue;
    }
    out.push(i === 0 ? labelOf(part) : lowerFirst(labelOf(part)));
  }
  return out.join(' ');
}

const CAMEL = /\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g;

/**
 * A message with the API's camelCase field names replaced by their labels ("set a
 * minimumDetectableEffect" → "set a minimum detectable effect"), and a leading "field.path: " (how
 * the server words a validation problem's detail) by the field's label. Only known field names are
 * replaced inside a sentence: a camelCase experiment key quoted in a message stays as it is.
 */
export function humanizeFields(message: string): string {
  const lead = /^([A-Za-z_]\w*(?:\.\w+)*): /.exec(message);
  const path = lead?.[1];
  const isField = path !== undefined && (path.includes('.') || /[a-z][A-Z]/.test(path) || path in LABELS);
  const rest = isField ? message.slice(lead![0].length) : message;
  const body = rest.replace(CAMEL, (word) => (word in LABELS ? lowerFirst(labelOf(word)) : word));
  return isField ? `${fieldLabel(path)}: ${body}` : body;
}
