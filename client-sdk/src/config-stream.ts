/**
 * The client's side of `GET /sdk/config?stream=1` (server-sent events): read with fetch rather than
 * EventSource, so the SDK key travels in the Authorization header (EventSource cannot set headers)
 * and the same code runs in browsers and in Node. Each `config` event carries the /sdk/config body,
 * its id is the ETag. Nothing here throws: the end of the stream, for whatever reason, is reported
 * once through `onEnd`, and the caller decides when to reconnect.
 */
export interface ConfigStreamOptions {
  fetch: typeof fetch;
  url: string;
  sdkKey: string;
  onConfig(body: unknown, etag: string | undefined): void;
  onEnd(): void;
}

export function openConfigStream({ fetch, url, sdkKey, onConfig, onEnd }: ConfigStreamOptions): { close(): void } {
  const controller = typeof AbortController !== 'undefined' ? new AbortController() : undefined;
  let closed = false;
  // One event: `event:`, `id:` and `data:` lines (our server sends one data line); comments (`: heartbeat`) skipped.
  const dispatch = (block: string) => {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const [, field, value] = /^(\w+): ?(.*)/.exec(line) ?? [];
      if (field) fields[field] = value!;
    }
    if (fields.event === 'config' && fields.data) onConfig(JSON.parse(fields.data), fields.id);
  };
  (async () => {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${sdkKey}`, Accept: 'text/event-stream' }, signal: controller?.signal });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  })().then(
    () => closed || onEnd(),
    () => closed || onEnd(),
  );
  return {
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
