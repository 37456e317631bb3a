import type { ReactNode } from 'react';
import type { Resource } from '../app/use-resource.js';
import { Empty, ErrorState, Loading } from './states.js';

/**
 * A list loaded from the server, as the admin pages show it: loading, an error with a retry, an empty
 * message, else a stacking table with a hidden caption. `head` is the header row's cells; `children`
 * renders the body rows from the loaded items.
 */
export function ResourceTable<T>({
  resource,
  loading,
  failed,
  empty,
  caption,
  head,
  children,
}: {
  resource: Resource<T[]>;
  loading: string;
  failed: string;
  empty: ReactNode;
  caption: string;
  head: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  if (resource.state === 'loading') return <Loading label={loading} />;
  if (resource.state === 'error') return <ErrorState error={resource.error} title={failed} onRetry={resource.reload} />;
  if (resource.data.length === 0) return <Empty>{empty}</Empty>;
  return (
    <div className="table-wrap">
      <table className="table table-stack">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children(resource.data)}</tbody>
      </table>
    </div>
  );
}
