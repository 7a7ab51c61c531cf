// What a screen shows while its data loads, when loading failed, and once it is there: the one
// shape of every list and detail screen.
import { type Accessor, type JSX, type Resource, Show } from 'solid-js';
import { useApp } from '../context.js';

/** `children` with the resource's value; "Loading…" before it, the error as an alert instead. */
export function Loaded<T>(props: {
  resource: Resource<T>;
  children: (value: Accessor<NonNullable<T>>) => JSX.Element;
}) {
  const app = useApp();
  return (
    <Show
      when={!props.resource.error}
      fallback={
        <p role="alert">{app.t('failed', { detail: String(props.resource.error?.message) })}</p>
      }
    >
      <Show when={props.resource()} fallback={<p>{app.t('loading')}</p>}>
        {(value) => props.children(value)}
      </Show>
    </Show>
  );
}
