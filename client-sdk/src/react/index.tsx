/**
 * `@touchpoint/client-sdk/react`: a provider, `useVariant(key)` and `<Variant>`.
 *
 * Server-side rendering: create a client with the server's `bootstrap` config and the visitor's
 * `unitId`, render; hydrate in the browser with a client built from the same two values. Reads are
 * synchronous and deterministic, so server and browser render the same variant (no flicker, no
 * hydration mismatch). Exposures are logged from an effect, i.e. only in the browser, once the
 * variant has actually been rendered; forced variants are never logged.
 */
import { createContext, createElement, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { Client, VariantResult } from '../client-types.js';

const TouchpointContext = createContext<Client | null>(null);

export interface TouchpointProviderProps {
  client: Client;
  children?: ReactNode;
}

export function TouchpointProvider({ client, children }: TouchpointProviderProps) {
  return createElement(TouchpointContext.Provider, { value: client }, children);
}

/** The client of the nearest provider. */
export function useTouchpoint(): Client {
  const client = useContext(TouchpointContext);
  if (!client) throw new Error('useTouchpoint/useVariant must be used inside <TouchpointProvider>');
  return client;
}

/**
 * The variant of `experimentKey` for the current unit; re-renders when the config, attributes,
 * identity, consent or overrides change. Logs the exposure after render unless `expose` is false.
 */
export function useVariant(experimentKey: string, { expose = true }: { expose?: boolean } = {}): VariantResult {
  const client = useTouchpoint();
  // useSyncExternalStore needs a stable snapshot: a string that changes exactly when the result does.
  const read = () => JSON.stringify(client.getVariant(experimentKey, { expose: false }));
  const snapshot = useSyncExternalStore(client.subscribe, read, read);
  const result = useMemo(() => JSON.parse(snapshot) as VariantResult, [snapshot]);
  useEffect(() => {
    if (expose && result.inExperiment && !result.forced) client.getVariant(experimentKey);
  }, [client, experimentKey, expose, result]);
  return result;
}

export interface VariantProps {
  experiment: string;
  /** Render `children` only for this variant key ("control" also covers "not in experiment"). */
  variant?: string;
  /** Or render a function of the result. */
  children?: ReactNode | ((result: VariantResult) => ReactNode);
  /** Rendered when `variant` does not match. */
  fallback?: ReactNode;
}

/**
 * `<Variant experiment="checkout-cta" variant="urgent">…</Variant>` or
 * `<Variant experiment="checkout-cta">{(v) => <Button label={v.payload?.label} />}</Variant>`.
 */
export function Variant({ experiment, variant, children, fallback = null }: VariantProps) {
  const result = useVariant(experiment);
  if (typeof children === 'function') return children(result);
  return variant === undefined || result.variantKey === variant ? children : fallback;
}
