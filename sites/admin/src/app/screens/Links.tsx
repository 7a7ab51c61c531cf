// Affiliate links, newest first, with keyset pages (redirect’s /api/admin/links) whose cursor is
// in the URL.
import { createResource, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';

interface Link {
  id: string;
  code: string;
  destinationUrl: string;
  affiliateId: string | null;
  campaign: string | null;
  status: string;
}

export default function Links() {
  const app = useApp();
  const trail = createCursorTrail();
  const [page] = createResource(trail.current, async (at) => {
    const answer = await app.api.get<{ items: Link[]; nextCursor: string | null }>(
      withQuery('/api/admin/links', { limit: 50, cursor: at }),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body;
  });
  return (
    <section aria-labelledby="links-title">
      <h1 id="links-title">{app.t('links')}</h1>
      <Loaded resource={page}>
        {(current) => (
          <Show when={current().items.length > 0} fallback={<p>{app.t('noLinks')}</p>}>
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">{app.t('code')}</th>
                  <th scope="col">{app.t('destination')}</th>
                  <th scope="col">{app.t('affiliate')}</th>
                  <th scope="col">{app.t('campaign')}</th>
                  <th scope="col">{app.t('status')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={current().items}>
                  {(link) => (
                    <tr>
                      <th scope="row">
                        <code>{link.code}</code>
                      </th>
                      <td class="wrap">{link.destinationUrl}</td>
                      <td>{link.affiliateId ?? '—'}</td>
                      <td>{link.campaign ?? '—'}</td>
                      <td>{link.status}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        )}
      </Loaded>
      <CursorPager trail={trail} nextCursor={page()?.nextCursor} />
    </section>
  );
}
