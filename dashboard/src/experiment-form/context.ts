import type { FormDraft, Lockable } from './model.js';

/** What every section of the experiment form gets from the form. */
export interface SectionProps {
  draft: FormDraft;
  /** Applies a change and marks `fields` as edited (their errors then show as you type). */
  update: (change: Partial<FormDraft>, fields: string[]) => void;
  /** Client and server messages for one field path, e.g. `variants.1.weight`. */
  errorsOf: (field: string) => string[];
  lock: (field: Lockable) => string | null;
  /** A save was attempted: every client error shows, touched or not. */
  submitted: boolean;
}
