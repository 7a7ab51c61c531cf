// Affiliate links, newest first, with keyset pages (redirect’s /api/admin/links) whose cursor is
// in the URL; with links:write, a new link: its code, a destination on the shop's own hosts
// (redirect refuses any other, and says why), the affiliate and campaign it credits, UTM
// parameters, 302 or (with a warning) 301, an expiry.
import { A, useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import { type Link, newLinkBody } from '../link.js';

export default function Links() {
  const app = useApp();
  const navigate = useNavigate();
  const trail = createCursorTrail();
  const [error, setError] = createSignal<string>();
  const [permanent, setPermanent] = createSignal(false);
  const [page] = createResource(trail.current, async (at) => {
    const answer = await app.api.get<{ items: Link[]; nextCursor: string | null }>(
      withQuery('/api/admin/links', { limit: 50, cursor: at }),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body;
  });
  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const body = newLinkBody(new FormData(event.currentTarget as HTMLFormElement));
    const answer = await app.api.send<Link>('POST', '/api/admin/links', body);
    if (!answer.ok) {
      setError(app.t('failed', { detail: problemText(answer) }));
      return;
    }
    navigate(`/links/${answer.body.id}`);
  };
  return (
    <section aria-labelledby="links-title">
      <h1 id="links-title">{app.t('links')}</h1>
      <Show when={app.may('manageLinks')}>
        <details class="action">
          <summary>{app.t('newLink')}</summary>
          <form class="stack" onSubmit={create}>
            <label for="link-code">{app.t('code')}</label>
            <input id="link-code" name="code" required maxlength="100" placeholder="spring-sale" />
            <label for="link-destination">{app.t('destination')}</label>
            <input
              id="link-destination"
              name="destinationUrl"
              type="url"
              required
              maxlength="2000"
              placeholder="https://shop.example/summer-sale"
              aria-describedby="link-destination-hint"
            />
            <small id="link-destination-hint" class="muted">
              {app.t('destinationHint')}
            </small>
            <label for="link-affiliate">{app.t('affiliate')}</label>
            <input id="link-affiliate" name="affiliateId" maxlength="100" />
            <label for="link-campaign">{app.t('campaign')}</label>
            <input id="link-campaign" name="campaign" maxlength="100" />
            <fieldset>
              <legend>{app.t('utmParameters')}</legend>
              <label for="link-utm-source">utm_source</label>
              <input id="link-utm-source" name="utm_source" maxlength="100" />
              <label for="link-utm-medium">utm_medium</label>
              <input id="link-utm-medium" name="utm_medium" maxlength="100" />
              <label for="link-utm-campaign">utm_campaign</label>
              <input id="link-utm-campaign" name="utm_campaign" maxlength="100" />
            </fieldset>
            <label for="link-status">{app.t('redirectType')}</label>
            <select
              id="link-status"
              name="redirectStatus"
              onChange={(event) => setPermanent(event.currentTarget.value === '301')}
            >
              <option value="302">{app.t('redirect302')}</option>
              <option value="301">{app.t('redirect301')}</option>
            </select>
            <Show when={permanent()}>
              <p class="notice warning">{app.t('redirect301Warning')}</p>
            </Show>
            <label for="link-expires">{app.t('expires')}</label>
            <input id="link-expires" name="expiresAt" type="datetime-local" />
            <Show when={error()}>
              <p class="notice warning" role="alert">
                {error()}
              </p>
            </Show>
            <div class="actions">
              <button type="submit">{app.t('createLink')}</button>
            </div>
          </form>
        </details>
      </Show>
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
                        <A href={`/links/${link.id}`}>
                          <code>{link.code}</code>
                        </A>
                      </th>
                      <td class="wrap">{link.destinationUrl}</td>
                      <td>{link.affiliateId ?? '—'}</td>
                      <td>{link.campaign ?? '—'}</td>
                      <td>{app.t(link.status === 'active' ? 'active' : 'linkDisabled')}</td>
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
