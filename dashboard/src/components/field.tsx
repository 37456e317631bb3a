import type { ReactNode } from 'react';
import { FieldMessages } from './states.js';

export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  disabled?: boolean;
}

/**
 * A labelled form field: the label is tied to the control, and the hint, the lock explanation and
 * the error messages are all referenced by aria-describedby.
 */
export function Field({
  id,
  label,
  hint,
  errors = [],
  lock,
  className = '',
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[];
  /** Why the field is disabled (shown under it). */
  lock?: string | null | undefined;
  className?: string;
  children: (props: FieldControlProps) => ReactNode;
}) {
  const described = [hint && `${id}-hint`, lock && `${id}-lock`, errors.length && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className={`field ${className}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(described && { 'aria-describedby': described }),
        ...(errors.length > 0 && { 'aria-invalid': true as const }),
        ...(lock && { disabled: true }),
      })}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {lock && (
        <p id={`${id}-lock`} className="lock-note">
          <span aria-hidden="true">🔒 </span>
          {lock}
        </p>
      )}
      <FieldMessages id={`${id}-error`} messages={errors} />
    </div>
  );
}
