// The one pager of the list screens: keyset pages whose cursor lives in the URL (`?cursor=`),
// forwards by the API's nextCursor, backwards through the cursors of the pages before (kept in
// memory: a cursor is up to 1,000 characters, and the APIs give no backwards cursor). On the
// first page (a new search, a link without a cursor) the trail starts again; after a reload it is
// gone, so the way back is "first page".
import { useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, on, Show } from 'solid-js';
import { useApp } from '../context.js';

export interface CursorTrail {
  /** The cursor of the page shown ('' on the first). */
  current(): string;
  next(cursor: string): void;
  previous(): void;
  /** How many pages lie before this one that "previous" can go back to. */
  depth(): number;
}

/** The cursor of the URL and the trail of pages before it. */
export function createCursorTrail(): CursorTrail {
  const [params, setParams] = useSearchParams<{ cursor?: string }>();
  const [trail, setTrail] = createSignal<string[]>([]);
  createEffect(
    on(
      () => params.cursor,
      (cursor) => {
        if (!cursor) setTrail([]);
      },
    ),
  );
  return {
    current: () => params.cursor ?? '',
    next(cursor) {
      setTrail([...trail(), params.cursor ?? '']);
      setParams({ cursor });
    },
    previous() {
      const before = [...trail()];
      const cursor = before.pop();
      setTrail(before);
      setParams({ cursor: cursor || undefined });
    },
    depth: () => trail().length,
  };
}

/** "Previous page" (or "First page" after a reload) and "Next page" under a list. */
export function CursorPager(props: { trail: CursorTrail; nextCursor: string | null | undefined }) {
  const app = useApp();
  return (
    <div class="pager">
      <Show when={props.trail.current()}>
        <button type="button" onClick={() => props.trail.previous()}>
          {props.trail.depth() > 0 ? app.t('previousPage') : app.t('firstPage')}
        </button>
      </Show>
      <Show when={props.nextCursor}>
        {(cursor) => (
          <button type="button" onClick={() => props.trail.next(cursor())}>
            {app.t('nextPage')}
          </button>
        )}
      </Show>
    </div>
  );
}
