// The staff app: one Solid island, its screens split by route (each a lazy chunk), the menu made
// of exactly the screens the token's permissions allow. It talks to the site's /api/admin proxy
// only.
import { A, Navigate, Route, Router, type RouteSectionProps } from '@solidjs/router';
import { createEffect, For, type JSX, lazy, on, Show } from 'solid-js';
import { createApi } from './api.js';
import { AppContext, type AppContextValue, useApp } from './context.js';
import { LOCALE_TAGS, type Locale, MESSAGES, type MessageKey } from './i18n.js';
import { mayDo, SCREENS, type Screen, screensFor } from './menu.js';
import { formatMoney } from './money.js';

const Dashboard = lazy(() => import('./screens/Dashboard.js'));
const Products = lazy(() => import('./screens/Products.js'));
const ProductEdit = lazy(() => import('./screens/ProductEdit.js'));
const ProductNew = lazy(() => import('./screens/ProductNew.js'));
const ProductImport = lazy(() => import('./screens/ProductImport.js'));
const Audit = lazy(() => import('./screens/Audit.js'));
const Flags = lazy(() => import('./screens/Flags.js'));
const Reports = lazy(() => import('./screens/Reports.js'));
const Notifications = lazy(() => import('./screens/Notifications.js'));
const Links = lazy(() => import('./screens/Links.js'));
const LinkDetail = lazy(() => import('./screens/LinkDetail.js'));
const Orders = lazy(() => import('./screens/Orders.js'));
const OrderDetail = lazy(() => import('./screens/OrderDetail.js'));
const Attribution = lazy(() => import('./screens/Attribution.js'));
const AnalyticsKeys = lazy(() => import('./screens/AnalyticsKeys.js'));
const Staff = lazy(() => import('./screens/Staff.js'));
const Customers = lazy(() => import('./screens/Customers.js'));
const CustomerDetail = lazy(() => import('./screens/CustomerDetail.js'));

export interface AdminAppProps {
  locale: Locale;
  /** The session's CSRF token, for the proxy's state-changing calls. */
  csrf: string;
  /** The permissions of the signed-in staff member (from the token, read on the server). */
  permissions: string[];
  /** The catalog's currency (new prices are typed in it). */
  currency: string;
}

function Shell(props: RouteSectionProps & { screens: Screen[] }) {
  const app = useApp();
  let main: HTMLElement | undefined;
  // After a move to another screen, focus goes to its main landmark (as a page load would put
  // a screen reader there); the first screen keeps the browser's own start.
  createEffect(
    on(
      () => props.location.pathname,
      () => main?.focus(),
      { defer: true },
    ),
  );
  return (
    <div class="app">
      <nav aria-label={app.t('mainNav')} class="side-nav">
        <ul>
          <For each={props.screens}>
            {(screen) => (
              <li>
                <A href={screen.path} end={screen.path === '/'} activeClass="current">
                  {app.t(screen.label)}
                </A>
              </li>
            )}
          </For>
        </ul>
      </nav>
      <main id="main" tabindex="-1" ref={main}>
        <Show when={props.screens.length > 0} fallback={<p role="alert">{app.t('noScreens')}</p>}>
          {props.children}
        </Show>
      </main>
    </div>
  );
}

/** A screen behind its permission: without it, a notice (the API would answer 403 anyway). */
function guarded(id: Screen['id'], view: () => JSX.Element) {
  return () => {
    const app = useApp();
    const screen = SCREENS.find((s) => s.id === id);
    return (
      <Show
        when={screen && app.permissions.includes(screen.permission)}
        fallback={<p role="alert">{app.t('forbidden')}</p>}
      >
        {view()}
      </Show>
    );
  };
}

export default function AdminApp(props: AdminAppProps) {
  const messages = MESSAGES[props.locale];
  const tag = LOCALE_TAGS[props.locale];
  const dateFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'medium' });
  const numberFormat = new Intl.NumberFormat(tag);
  const base = props.locale === 'en' ? '' : `/${props.locale}`;
  const app: AppContextValue = {
    locale: props.locale,
    tag,
    t: (key: MessageKey, values: Record<string, string | number> = {}) =>
      messages[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in values ? String(values[name]) : whole,
      ),
    api: createApi({
      csrf: props.csrf,
      onSignedOut: () => {
        const back = encodeURIComponent(`${location.pathname}${location.search}`);
        location.assign(`${base}/signin?return=${back}`);
      },
    }),
    permissions: props.permissions,
    currency: props.currency,
    may: (action) => mayDo(props.permissions, action),
    money: (amount, currency) => formatMoney(amount, currency, tag),
    dateTime: (iso) => dateFormat.format(new Date(iso)),
    number: (value) => numberFormat.format(value),
  };
  const screens = screensFor(props.permissions);
  // The first screen of the menu is home for roles that may not see the dashboard.
  const Home = () =>
    screens[0] && screens[0].id !== 'dashboard' ? (
      <Navigate href={screens[0].path} />
    ) : (
      guarded('dashboard', () => <Dashboard />)()
    );
  return (
    <AppContext.Provider value={app}>
      <Router base={base} root={(section) => <Shell {...section} screens={screens} />}>
        <Route path="/" component={Home} />
        <Route path="/products" component={guarded('products', () => <Products />)} />
        <Route path="/products/new" component={guarded('products', () => <ProductNew />)} />
        <Route path="/products/import" component={guarded('products', () => <ProductImport />)} />
        <Route path="/products/:id" component={guarded('products', () => <ProductEdit />)} />
        <Route path="/orders" component={guarded('orders', () => <Orders />)} />
        <Route path="/orders/:id" component={guarded('orders', () => <OrderDetail />)} />
        <Route path="/customers" component={guarded('customers', () => <Customers />)} />
        <Route path="/customers/:id" component={guarded('customers', () => <CustomerDetail />)} />
        <Route path="/attribution" component={guarded('attribution', () => <Attribution />)} />
        <Route path="/analytics-keys" component={guarded('analytics', () => <AnalyticsKeys />)} />
        <Route path="/staff" component={guarded('staff', () => <Staff />)} />
        <Route path="/audit" component={guarded('audit', () => <Audit />)} />
        <Route path="/flags" component={guarded('flags', () => <Flags />)} />
        <Route path="/reports" component={guarded('reports', () => <Reports />)} />
        <Route
          path="/notifications"
          component={guarded('notifications', () => <Notifications />)}
        />
        <Route path="/links" component={guarded('links', () => <Links />)} />
        <Route path="/links/:id" component={guarded('links', () => <LinkDetail />)} />
        <Route path="*" component={() => <p role="alert">{app.t('notFound')}</p>} />
      </Router>
    </AppContext.Provider>
  );
}
