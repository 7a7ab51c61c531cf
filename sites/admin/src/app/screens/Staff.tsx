// Staff and roles (auth's /api/admin/staff): who may use the back office and as what.
// Administrators invite by email with roles (notification mails a single-use link to
// /accept-invitation), change roles and disable or enable accounts — each change names the
// version shown (If-Match), and ends the member's sessions so it applies at once. Auth refuses
// to leave the shop without an active administrator (409), shown as it comes.
import { STAFF_ROLES, type StaffRole } from '@shop/shared/permissions';
import { createResource, createSignal, For, Show } from 'solid-js';
import { type ApiAnswer, problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';

interface Member {
  userId: string;
  email: string;
  displayName: string | null;
  roles: StaffRole[];
  status: 'invited' | 'active' | 'disabled';
  createdAt: string;
  invitedAt: string | null;
  disabledAt: string | null;
  version: number;
}

const ROLES = Object.keys(STAFF_ROLES) as StaffRole[];
const etag = (member: Member) => `W/"${member.version}"`;

/** Checkboxes of every role, with what each may do; `checked` ticks a member's own. */
function RoleChoice(props: { legend: string; idPrefix: string; checked?: readonly StaffRole[] }) {
  const app = useApp();
  return (
    <fieldset class="roles">
      <legend>{props.legend}</legend>
      <For each={ROLES}>
        {(role) => (
          <div>
            <input
              type="checkbox"
              id={`${props.idPrefix}-${role}`}
              name="roles"
              value={role}
              checked={props.checked?.includes(role) ?? false}
              aria-describedby={`${props.idPrefix}-${role}-perms`}
            />
            <label for={`${props.idPrefix}-${role}`}>{app.t(`role_${role}`)}</label>
            <small id={`${props.idPrefix}-${role}-perms`} class="muted">
              {' '}
              {role === 'administrator' ? app.t('everything') : STAFF_ROLES[role].join(', ')}
            </small>
          </div>
        )}
      </For>
    </fieldset>
  );
}

const rolesOf = (form: HTMLFormElement) =>
  new FormData(form).getAll('roles').map(String) as StaffRole[];

export default function Staff() {
  const app = useApp();
  const trail = createCursorTrail();
  const [notice, setNotice] = createSignal<{ text: string; ok: boolean }>();
  const [editing, setEditing] = createSignal<string>();
  const [page, { refetch }] = createResource(trail.current, async (cursor) => {
    const answer = await app.api.get<{ items: Member[]; nextCursor: string | null }>(
      withQuery('/api/admin/staff', { limit: 50, cursor }),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body;
  });

  const report = async (answer: ApiAnswer<unknown>, done: string) => {
    if (answer.status === 412) setNotice({ text: app.t('staffChanged'), ok: false });
    else if (!answer.ok)
      setNotice({ text: app.t('failed', { detail: problemText(answer) }), ok: false });
    else setNotice({ text: done, ok: true });
    await refetch();
    return answer.ok;
  };

  const invite = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const roles = rolesOf(form);
    if (roles.length === 0) {
      setNotice({ text: app.t('pickRole'), ok: false });
      return;
    }
    const email = String(data.get('email') ?? '').trim();
    const answer = await app.api.send('POST', '/api/admin/staff/invitations', {
      email,
      name: String(data.get('name') ?? '').trim(),
      roles,
      locale: String(data.get('locale') ?? 'en-GB'),
    });
    if (await report(answer, app.t('invited', { email }))) form.reset();
  };

  const saveRoles = async (event: SubmitEvent, member: Member) => {
    event.preventDefault();
    const roles = rolesOf(event.currentTarget as HTMLFormElement);
    if (roles.length === 0) {
      setNotice({ text: app.t('pickRole'), ok: false });
      return;
    }
    const answer = await app.api.send(
      'PUT',
      `/api/admin/staff/${member.userId}/roles`,
      { roles },
      etag(member),
    );
    if (await report(answer, app.t('rolesSaved', { email: member.email }))) setEditing(undefined);
  };

  const setDisabled = async (member: Member, disable: boolean) => {
    const answer = await app.api.send(
      'POST',
      `/api/admin/staff/${member.userId}/${disable ? 'disable' : 'enable'}`,
      undefined,
      etag(member),
    );
    await report(answer, app.t(disable ? 'disabledNow' : 'enabledNow', { email: member.email }));
  };

  const reinvite = async (member: Member) => {
    const answer = await app.api.send('POST', `/api/admin/staff/${member.userId}/invitation`);
    await report(answer, app.t('invited', { email: member.email }));
  };

  return (
    <section aria-labelledby="staff-title">
      <h1 id="staff-title">{app.t('staff')}</h1>
      <div aria-live="polite">
        <Show when={notice()}>
          {(shown) => (
            <p class={shown().ok ? 'notice ok' : 'notice warning'} role="status">
              {shown().text}
            </p>
          )}
        </Show>
      </div>
      <Show when={app.may('manageStaff')}>
        <section class="action" aria-labelledby="invite-title">
          <h2 id="invite-title">{app.t('inviteTitle')}</h2>
          <form class="stack" onSubmit={invite}>
            <label for="invite-email">{app.t('email')}</label>
            <input id="invite-email" name="email" type="email" required maxlength="320" />
            <label for="invite-name">{app.t('name')}</label>
            <input id="invite-name" name="name" required maxlength="200" />
            <label for="invite-locale">{app.t('mailLanguage')}</label>
            <select id="invite-locale" name="locale">
              <option value="en-GB">English</option>
              <option value="de-DE">Deutsch</option>
            </select>
            <RoleChoice legend={app.t('roles')} idPrefix="invite" />
            <div class="actions">
              <button type="submit">{app.t('invite')}</button>
            </div>
          </form>
        </section>
      </Show>
      <Loaded resource={page}>
        {(current) => (
          <table class="data">
            <caption>{app.t('staffMembers')}</caption>
            <thead>
              <tr>
                <th scope="col">{app.t('email')}</th>
                <th scope="col">{app.t('name')}</th>
                <th scope="col">{app.t('roles')}</th>
                <th scope="col">{app.t('status')}</th>
                <Show when={app.may('manageStaff')}>
                  <th scope="col">{app.t('action')}</th>
                </Show>
              </tr>
            </thead>
            <tbody>
              <For each={current().items}>
                {(member) => (
                  <tr>
                    <th scope="row">{member.email}</th>
                    <td>{member.displayName ?? '—'}</td>
                    <td>
                      <Show
                        when={editing() === member.userId}
                        fallback={member.roles.map((role) => app.t(`role_${role}`)).join(', ')}
                      >
                        <form class="stack" onSubmit={(event) => void saveRoles(event, member)}>
                          <RoleChoice
                            legend={app.t('rolesOf', { email: member.email })}
                            idPrefix={`roles-${member.userId}`}
                            checked={member.roles}
                          />
                          <div class="actions">
                            <button type="submit">{app.t('save')}</button>
                            <button type="button" onClick={() => setEditing(undefined)}>
                              {app.t('cancel')}
                            </button>
                          </div>
                        </form>
                      </Show>
                    </td>
                    <td>{app.t(`member_${member.status}`)}</td>
                    <Show when={app.may('manageStaff')}>
                      <td>
                        <div class="actions">
                          <Show when={editing() !== member.userId}>
                            <button
                              type="button"
                              aria-label={app.t('editRolesOf', { email: member.email })}
                              onClick={() => setEditing(member.userId)}
                            >
                              {app.t('editRoles')}
                            </button>
                          </Show>
                          <Show when={member.status === 'invited'}>
                            <button
                              type="button"
                              aria-label={app.t('reinviteOf', { email: member.email })}
                              onClick={() => void reinvite(member)}
                            >
                              {app.t('reinvite')}
                            </button>
                          </Show>
                          <Show
                            when={member.status === 'disabled'}
                            fallback={
                              <button
                                type="button"
                                aria-label={app.t('disableOf', { email: member.email })}
                                onClick={() => void setDisabled(member, true)}
                              >
                                {app.t('disable')}
                              </button>
                            }
                          >
                            <button
                              type="button"
                              aria-label={app.t('enableOf', { email: member.email })}
                              onClick={() => void setDisabled(member, false)}
                            >
                              {app.t('enable')}
                            </button>
                          </Show>
                        </div>
                      </td>
                    </Show>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        )}
      </Loaded>
      <CursorPager trail={trail} nextCursor={page()?.nextCursor} />
    </section>
  );
}
