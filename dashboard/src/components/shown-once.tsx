import type { ReactNode } from 'react';
import { CopyButton } from './copy-button.js';

/**
 * A secret the server hands out only once (a key, a signing secret, an invitation link): the card that
 * says so, shows it with a copy button, and is dismissed by the reader once it is saved. `children` is
 * what follows "This is the only time it is shown." (what the secret is for, what to do if it is lost).
 */
export function ShownOnce({
  titleId,
  title,
  value,
  valueLabel,
  copyLabel,
  doneLabel = 'I have saved it',
  onDone,
  children,
}: {
  titleId: string;
  title: ReactNode;
  value: string;
  valueLabel: string;
  copyLabel: string;
  doneLabel?: string;
  onDone: () => void;
  children: ReactNode;
}) {
  return (
    <section className="card secret-card" aria-labelledby={titleId} role="status">
      <h2 id={titleId}>{title}</h2>
      <p className="warning-text">
        <strong>This is the only time it is shown.</strong> {children}
      </p>
      <div className="secret-row">
        <code className="secret" aria-label={valueLabel}>
          {value}
        </code>
        <CopyButton text={value} label={copyLabel} />
      </div>
      <button type="button" className="button" onClick={onDone}>
        {doneLabel}
      </button>
    </section>
  );
}
