// Page-lifecycle hooks: flush when the page is hidden (tab switch, navigation, close), the last
// moment a browser reliably runs code. `visibilitychange` covers mobile, `pagehide` covers bfcache.

export interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface PageLike extends EventSource {
  visibilityState?: string;
}

export type SendBeacon = (url: string, body: string) => boolean;

const g = globalThis as {
  document?: PageLike;
  addEventListener?: EventSource['addEventListener'];
  removeEventListener?: EventSource['removeEventListener'];
  navigator?: { sendBeacon?: (url: string, body: string) => boolean };
};

export const defaultDocument = (): PageLike | undefined => g.document;

export const defaultWindow = (): EventSource | undefined =>
  g.document && g.addEventListener ? (g as EventSource) : undefined;

export function defaultSendBeacon(): SendBeacon | undefined {
  const nav = g.navigator;
  return nav?.sendBeacon ? (url, body) => nav.sendBeacon!(url, body) : undefined;
}

/** Calls `onHide` when the page is hidden; returns the function that removes the listeners. */
export function onPageHide(doc: PageLike | undefined, win: EventSource | undefined, onHide: () => void): () => void {
  const visibility = () => {
    if (doc?.visibilityState === 'hidden') onHide();
  };
  doc?.addEventListener('visibilitychange', visibility);
  win?.addEventListener('pagehide', onHide);
  return () => {
    doc?.removeEventListener('visibilitychange', visibility);
    win?.removeEventListener('pagehide', onHide);
  };
}
