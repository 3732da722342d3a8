/**
 * A list whose first page is already loaded, with "Show more" fetching the
 * next pages through the API's cursor (`next_cursor`) and appending them.
 */
import { useState, type ReactNode } from 'react';
import { ErrorLine, useSubmit } from './forms';

export interface ApiPage<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}

export function PagedList<T extends { readonly id: string }>(props: {
  readonly first: ApiPage<T>;
  readonly more: (cursor: string) => Promise<ApiPage<T>>;
  /** What the items are, for the button: "Show more workrooms". */
  readonly noun: string;
  readonly children: (item: T) => ReactNode;
}): ReactNode {
  const [items, setItems] = useState<readonly T[]>(props.first.items);
  const [cursor, setCursor] = useState<string | null>(props.first.next_cursor);
  const { busy, error, submit } = useSubmit(async () => {
    if (cursor === null) return;
    const page = await props.more(cursor);
    setItems((current) => [...current, ...page.items]);
    setCursor(page.next_cursor);
  });
  const errorId = `more-${props.noun.replace(/\W+/g, '-')}-error`;
  return (
    <>
      <ul className="list">
        {items.map((item) => (
          <li key={item.id}>{props.children(item)}</li>
        ))}
      </ul>
      {cursor === null ? null : (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={() => busy || submit()}
            aria-disabled={busy}
            aria-describedby={errorId}
          >
            {busy ? 'Loading…' : `Show more ${props.noun}`}
          </button>
        </p>
      )}
      {error === undefined ? null : <ErrorLine id={errorId} error={error} />}
    </>
  );
}
