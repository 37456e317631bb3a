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

export function IntegrationSnippet({ experiment }: { experiment: Experiment }) {
  const code = snippetFor(experiment, window.location.origin);
  return (
    <section className="card" aria-labelledby="snippet-title">
      <div className="section-head">
        <h2 id="snippet-title">Integration</h2>
        <span>
          <CopyButton text={code} label="Copy code" />
        </span>
      </div>
      <p className="hint">
        SDK keys are shown only once, when created. Use one you saved, or <Link to="/keys">create an SDK key</Link> with your site&apos;s origin allowed.
      </p>
      <pre className="code" tabIndex={0} aria-label="SDK integration code">
        <code>{code}</code>
      </pre>
    </section>
  );
}
