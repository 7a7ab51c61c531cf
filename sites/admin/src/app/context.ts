// What every screen of the island gets: the texts of its locale, Intl formatting, the proxy
// client and the permissions of the signed-in staff member.
import { createContext, useContext } from 'solid-js';
import type { Api } from './api.js';
import type { Locale, MessageKey } from './i18n.js';
import type { Action } from './menu.js';

export interface AppContextValue {
  locale: Locale;
  /** The Intl tag (`en-GB`, `de-DE`). */
  tag: string;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  api: Api;
  permissions: readonly string[];
  /** The catalog's currency. */
  currency: string;
  may(action: Action): boolean;
  money(amount: number, currency: string): string;
  dateTime(iso: string): string;
  number(value: number): string;
}

export const AppContext = createContext<AppContextValue>();

/** The app's context; only inside <AdminApp>. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <AdminApp>');
  return value;
}
