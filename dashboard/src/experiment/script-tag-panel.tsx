import { useState } from 'react';
import { scriptTagSnippet } from '@touchpoint/client-sdk/script-tag';
import { useApi } from '../app/api-context.js';
import { Permitted } from '../app/permitted.js';
import { usePermission } from '../app/session.js';
import { Link } from '../app/router.js';
import { useResource } from '../app/use-resource.js';
import type { Experiment, PreviewLink } from '../api/types.js';
import { CopyButton } from '../components/copy-button.js';
import { formatDateTime } from '../components/format.js';
import { messageOf } from '../api/problem.js';

/** Every selector this experiment's changes touch: what the anti-flicker snippet hides until applied. */
export const testedSelectors = (experiment: Experiment): string[] => [
  ...new Set(experiment.variants.flatMap((v) => (v.changes ?? []).map((c) => c.selector))),
];

/**
 * The script tag for shops without a bundler (README "Script tag"): the snippet to paste into the
 * theme's <head>, with the anti-flicker style for this experiment's selectors, and signed preview
 * links per variant (the shop shows that variant; nothing is logged).
 */
export function ScriptTagPanel({ experiment }: { experiment: Experiment }) {
  const api = useApi();
  // Only admins may list keys: for the others there is nothing to ask (it would be a 403).
  const mayListKeys = usePermission('manage-keys').allowed;
  const keys = useResource((signal) => (mayListKeys ? api.listKeys(false, signal) : Promise.resolve([])), [api, mayListKeys]);
  const sdkKeys = keys.state === 'ready' ? keys.data.filter((k) => k.kind === 'sdk') : [];
  const selectors = testedSelectors(experiment);
  const code = scriptTagSnippet({ serverUrl: window.location.origin, sdkKey: 'tp_sdk_…', selectors });
  const usesScript = experiment.variants.some((v) => (v.changes?.length ?? 0) > 0 || v.redirect);

  return (
    <section className="card" aria-labelledby="script-tag-title">
      <div className="section-head">
        <h2 id="script-tag-title">Script tag</h2>
        <span>
          <CopyButton text={code} label="Copy tag" />
        </span>
      </div>
      <p className="hint">
        Paste into your theme&apos;s <code>&lt;head&gt;</code>, as high as possible, and replace <code>tp_sdk_…</code> with an SDK key
        {sdkKeys.length > 0 ? (
          <>
            {' '}
            — yours: {sdkKeys.map((k) => `${k.prefix} (${k.name})`).join(', ')}; SDK keys are shown only once, when created
          </>
        ) : (
          <>
            <Permitted action="manage-keys" otherwise=": ask an admin for one, allowing your shop's origin">
              : <Link to="/keys">create one</Link>, allowing your shop&apos;s origin
            </Permitted>
          </>
        )}
        .{' '}
        {selectors.length > 0
          ? 'The style hides only the elements this experiment changes, until the script has applied the changes (1 s at most).'
          : 'This experiment has no page changes: the tag alone runs code experiments through window.touchpoint.'}
      </p>
      <pre className="code" tabIndex={0} aria-label="Script tag to paste">
        <code>{code}</code>
      </pre>
      {usesScript && (
        <Permitted action="edit">
          <PreviewLinks experiment={experiment} />
        </Permitted>
      )}
    </section>
  );
}

function PreviewLinks({ experiment }: { experiment: Experiment }) {
  const api = useApi();
  const [pageUrl, setPageUrl] = useState('');
  const [links, setLinks] = useState<Record<string, PreviewLink>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const mint = (variantKey: string) => {
    setBusy(variantKey);
    setError(null);
    api
      .createPreviewLink(experiment.key, { variantKey, ...(pageUrl.trim() && { url: pageUrl.trim() }) })
      .then((link) => setLinks((all) => ({ ...all, [variantKey]: link })), setError)
      .finally(() => setBusy(null));
  };
  return (
    <div className="preview-links">
      <h3>Preview links</h3>
      <p className="hint">A signed link shows one variant on your shop, for 72 hours, without logging an exposure or an event.</p>
      <div className="field">
        <label htmlFor="preview-page">Shop page to open</label>
        <input id="preview-page" type="url" placeholder="https://shop.example/products/red-shoe" value={pageUrl} onChange={(e) => setPageUrl(e.target.value)} />
      </div>
      {error !== null && (
        <p className="field-error" role="alert">
          {messageOf(error)}
        </p>
      )}
      <ul className="preview-list">
        {experiment.variants.map((v) => {
          const link = links[v.key];
          const text = link ? (link.url ?? `?tp_preview=${link.token}`) : '';
          return (
            <li key={v.key}>
              <button type="button" className="button button-small" disabled={busy !== null} onClick={() => mint(v.key)} aria-label={`Preview link for ${v.name}`}>
                {busy === v.key ? 'Creating…' : `Preview ${v.name}`}
              </button>
              {link && (
                <>
                  {' '}
                  {link.url ? (
                    <a href={link.url} target="_blank" rel="noreferrer" className="mono small">
                      open
                    </a>
                  ) : (
                    <code className="small">{text}</code>
                  )}{' '}
                  <CopyButton text={text} label="Copy link" /> <span className="muted small">expires {formatDateTime(link.expiresAt)}</span>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
