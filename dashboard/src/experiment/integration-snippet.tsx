import { Permitted } from '../app/permitted.js';
import { Link } from '../app/router.js';
import type { Experiment } from '../api/types.js';
import { CopyButton } from '../components/copy-button.js';

/** The SDK code a front-end developer pastes to run this experiment (client-sdk README, "SDK usage"). */
export function snippetFor(experiment: Experiment, apiUrl: string): string {
  const key = JSON.stringify(experiment.key).slice(1, -1).replaceAll("'", "\\'");
  const payloadHint = experiment.variants.find((v) => v.payload !== null && v.payload !== undefined) ? '  // payload: this variant\'s JSON payload' : '';
  return [
    "import { createClient } from '@touchpoint/client-sdk/client';",
    "import { httpTracking } from '@touchpoint/client-sdk/tracking';",
    '',
    'const touchpoint = createClient({',
    `  apiUrl: '${apiUrl}',`,
    "  sdkKey: 'tp_sdk_…', // an SDK key (public): create one on the API keys page",
    '  tracking: httpTracking(),',
    '});',
    'await touchpoint.ready();',
    '',
    `const { variantKey, payload } = touchpoint.getVariant('${key}');${payloadHint}`,
    `// variantKey is one of: ${experiment.variants.map((v) => v.key).join(', ')}`,
    '',
    "touchpoint.track('purchase', { value: 42.5 }); // conversions, with revenue when there is one",
  ].join('\n');
}

/**
 * The same experiment on a server-rendered page: POST /sdk/assign assigns with the SDK's own code and,
 * with `logExposures`, records the exposure in the same call (once per visitor, however often it runs).
 */
export function serverSnippetFor(experiment: Experiment, apiUrl: string): string {
  const key = JSON.stringify(experiment.key);
  return [
    '// On the server, per request: the visitor id your site already keeps (a first-party cookie).',
    `const res = await fetch('${apiUrl}/sdk/assign', {`,
    "  method: 'POST',",
    "  headers: { Authorization: 'Bearer tp_sdk_…', 'Content-Type': 'application/json' },",
    `  body: JSON.stringify({ unitId: visitorId, attributes: { device: 'mobile' }, experiments: [${key}], logExposures: true }),`,
    '});',
    'const [{ inExperiment, variantKey, payload }] = (await res.json()).assignments;',
    '// Conversions still come from the page (touchpoint.track above) or POST /sdk/events.',
  ].join('\n');
}

export function IntegrationSnippet({ experiment }: { experiment: Experiment }) {
  const code = snippetFor(experiment, window.location.origin);
  const serverCode = serverSnippetFor(experiment, window.location.origin);
  return (
    <section className="card" aria-labelledby="snippet-title">
      <div className="section-head">
        <h2 id="snippet-title">Integration</h2>
        <span>
          <CopyButton text={code} label="Copy code" />
        </span>
      </div>
      <p className="hint">
        SDK keys are shown only once, when created. Use one you saved, or{' '}
        <Permitted action="manage-keys" otherwise="ask an admin for one">
          <Link to="/keys">create an SDK key</Link>
        </Permitted>{' '}
        with your site&apos;s origin allowed.
      </p>
      <pre className="code" tabIndex={0} aria-label="SDK integration code">
        <code>{code}</code>
      </pre>
      <details>
        <summary>Server-rendered pages</summary>
        <div className="section-head">
          <p className="hint">Assign on the server and record the exposure in the same call; the browser needs no SDK for it.</p>
          <span>
            <CopyButton text={serverCode} label="Copy server code" />
          </span>
        </div>
        <pre className="code" tabIndex={0} aria-label="Server-side assignment code">
          <code>{serverCode}</code>
        </pre>
      </details>
    </section>
  );
}
