import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/problem.js';

/**
 * A create form's submit (create a key, add a webhook, invite someone): `tried` once submitted (so
 * "Required." shows only then), nothing sent while `valid()` is false, `busy` while `send` runs, and
 * `error` if it failed. `server(field)` is what the server said about one field; `otherError` says the
 * error belongs to no field, so the form shows it as a whole. After a success `tried` is reset for the
 * next entry (`send` clears the inputs).
 */
export function useFormSubmit(valid: () => boolean, send: () => Promise<void>) {
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const server = (field: string) => (error instanceof ApiError ? error.errorsFor(field).map((e) => e.detail) : []);
  const otherError = error !== null && !(error instanceof ApiError && error.errors.length > 0);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!valid()) return;
    setBusy(true);
    setError(null);
    try {
      await send();
      setTried(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return { tried, busy, error, server, otherError, submit };
}
