import { useState } from 'react';

/**
 * A one-shot action behind a button (revoke, delete): `busy` while it runs, `error` if it failed (the
 * button comes back so it can be tried again); `onDone` runs after it succeeded, and the component is
 * then usually closed, so `busy` is left as it is.
 */
export function useAction(action: () => Promise<unknown>, onDone: () => void): { busy: boolean; error: unknown; run: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = () => {
    setBusy(true);
    setError(null);
    action().then(onDone, (e: unknown) => {
      setError(e);
      setBusy(false);
    });
  };
  return { busy, error, run };
}
