// Notifications: the messages that failed after their last retry, and resend for each.
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText } from '../api.js';
import { useApp } from '../context.js';

interface Message {
  id: string;
  channel: string;
  template: string;
  recipient: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

export default function Notifications() {
  const app = useApp();
  const [notice, setNotice] = createSignal<string>();
  const [messages, { refetch }] = createResource(async () => {
    const answer = await app.api.get<{ items: Message[] }>(
      '/api/admin/notifications?status=failed&limit=100',
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body.items;
  });
  const resend = async (message: Message) => {
    const answer = await app.api.send('POST', `/api/admin/notifications/${message.id}/resend`);
    setNotice(answer.ok ? app.t('resent') : problemText(answer));
    await refetch();
  };
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">{app.t('failedMessages')}</h1>
      <div aria-live="polite">
        <Show when={notice()}>
          <p class="notice" role="status">
            {notice()}
          </p>
        </Show>
      </div>
      <Show
        when={!messages.error}
        fallback={
          <p role="alert">{app.t('failed', { detail: String(messages.error?.message) })}</p>
        }
      >
        <Show when={messages()} fallback={<p>{app.t('loading')}</p>}>
          {(items) => (
            <Show when={items().length > 0} fallback={<p>{app.t('noMessages')}</p>}>
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">{app.t('when')}</th>
                    <th scope="col">{app.t('channel')}</th>
                    <th scope="col">{app.t('template')}</th>
                    <th scope="col">{app.t('recipient')}</th>
                    <th scope="col" class="num">
                      {app.t('attempts')}
                    </th>
                    <th scope="col">{app.t('lastError')}</th>
                    <th scope="col">{app.t('resend')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={items()}>
                    {(message) => (
                      <tr>
                        <td>{app.dateTime(message.updatedAt)}</td>
                        <td>{message.channel}</td>
                        <td>{message.template}</td>
                        <td>{message.recipient ?? '—'}</td>
                        <td class="num">{message.attempts}</td>
                        <td>{message.lastError ?? '—'}</td>
                        <td>
                          <button
                            type="button"
                            disabled={!app.may('resendNotification')}
                            onClick={() => void resend(message)}
                          >
                            {app.t('resend')}
                          </button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}
