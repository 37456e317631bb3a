import { useCallback, useEffect, useRef, useState } from 'react';

export type Resource<T> =
  | { state: 'loading'; data?: undefined; error?: undefined; reload: () => void }
  | { state: 'error'; data?: undefined; error: unknown; reload: () => void }
  | { state: 'ready'; data: T; error?: undefined; reload: () => void };

/**
 * Loads something when `deps` change; aborts the previous load, ignores late answers.
 * `reload()` fetches again (keeping the current data on screen until the answer arrives).
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> & { set: (data: T) => void } {
  const [state, setState] = useState<{ state: 'loading' | 'error' | 'ready'; data?: T; error?: unknown }>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => (previous.state === 'ready' && tick > 0 ? previous : { state: 'loading' }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ state: 'ready', data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ state: 'error', error });
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: T) => setState({ state: 'ready', data }), []);
  return { ...(state as Resource<T>), reload, set };
}

/** A value that settles `delay` ms after its last change (for type-ahead queries); compared by JSON. */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  const serialized = JSON.stringify(value);
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => {
    const timer = setTimeout(() => setSettled(latest.current), delay);
    return () => clearTimeout(timer);
  }, [serialized, delay]);
  return JSON.stringify(settled) === serialized ? value : settled;
}
