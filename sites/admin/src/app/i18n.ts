// English at /, German at /de/…: the locale comes from the path, every text of the shell and the
// island from this table (the island gets the whole table of its locale: a few KB).

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** The BCP 47 tag Intl formats with, and the `lang` of each locale. */
export const LOCALE_TAGS: Record<Locale, string> = { en: 'en-GB', de: 'de-DE' };

/**
 * The locale of a path and the path without its locale prefix.
 * @example splitLocale('/de/products') // { locale: 'de', path: '/products' }
 */
export function splitLocale(pathname: string): { locale: Locale; path: string } {
  if (pathname === '/de' || pathname.startsWith('/de/')) {
    return { locale: 'de', path: pathname.slice(3) || '/' };
  }
  return { locale: 'en', path: pathname };
}

/**
 * `path` (without a prefix) in `locale`.
 * @example localePath('de', '/audit') // '/de/audit'
 */
export function localePath(locale: Locale, path: string): string {
  if (locale === 'en') return path;
  return path === '/' ? '/de' : `/de${path}`;
}

const en = {
  skip: 'Skip to content',
  brand: 'Back office',
  mainNav: 'Screens',
  language: 'Deutsch',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signedInAs: 'Signed in as {email}',
  email: 'Email',
  password: 'Password',
  badLogin: 'That email and password do not match a staff account.',
  notStaff: 'This account is not a staff account.',
  tooManyAttempts: 'Too many attempts. Wait a minute and try again.',
  formInvalid: 'Fill in both fields.',
  csrfRefused: 'This form expired or came from another site. Reload the page and try again.',
  signedOut: 'You are signed out.',
  unavailable: 'The platform is not answering right now. Try again in a moment.',
  noScript: 'The back office needs JavaScript.',
  loading: 'Loading…',
  // screens
  dashboard: 'Dashboard',
  products: 'Products',
  audit: 'Audit log',
  flags: 'Feature flags',
  reports: 'Reports',
  notifications: 'Notifications',
  links: 'Affiliate links',
  noScreens: 'Your roles give you no screen here. Ask an administrator for a role.',
  forbidden: 'Your roles do not allow this.',
  notFound: 'There is no such screen.',
  sessionEnded: 'Your session ended. Sign in again.',
  failed: 'That did not work: {detail}',
  // dashboard
  today: 'Today',
  thisMonth: 'This month',
  revenue: 'Revenue',
  orders: 'Orders',
  revenueLast30: 'Revenue, last 30 days',
  chartTable: 'The chart as a table',
  day: 'Day',
  topProducts: 'Top products this month',
  noSales: 'No sales yet.',
  rank: 'Rank',
  quantity: 'Quantity',
  // products
  search: 'Search',
  searchProducts: 'Search products',
  status: 'Status',
  all: 'All',
  active: 'Active',
  archived: 'Archived',
  name: 'Name',
  slug: 'Slug',
  category: 'Category',
  price: 'Price',
  stock: 'Stock',
  version: 'Version',
  description: 'Description',
  edit: 'Edit',
  nextPage: 'Next page',
  previousPage: 'Previous page',
  firstPage: 'First page',
  noProducts: 'No products match.',
  editProduct: 'Edit {name}',
  newProduct: 'New product',
  create: 'Create',
  created: 'Created.',
  save: 'Save',
  saved: 'Saved.',
  back: 'Back to the list',
  archive: 'Archive',
  unarchive: 'Unarchive',
  priceHint: 'In {currency}, e.g. 12.99',
  badPrice: 'Enter a price such as 12.99.',
  badStock: 'Enter a whole number of units.',
  // conflict
  conflictTitle: 'Someone else changed this product',
  conflictIntro:
    'While you edited, {who} saved version {version}. Choose for each field which value to keep, then save again.',
  someoneElse: 'another person',
  field: 'Field',
  yours: 'Yours',
  theirs: 'Theirs',
  keepMine: 'Keep mine',
  takeTheirs: 'Take theirs',
  saveMerged: 'Save the merge',
  cancel: 'Cancel',
  onlyTheyChanged: 'only they changed it',
  bothChanged: 'both changed it',
  onlyYouChanged: 'only you changed it',
  // audit
  action: 'Action',
  actor: 'Actor',
  target: 'Target',
  targetId: 'Target id',
  when: 'When',
  from: 'From',
  to: 'To',
  filter: 'Filter',
  clearFilters: 'Clear',
  verify: 'Verify the log',
  verifying: 'Verifying…',
  verifiedOk:
    'The log is intact: {size} entries recomputed, {checkpoints} signed checkpoints match.',
  verifiedBad: 'The log does not match: {problem} at entry {index}. {detail}',
  proof: 'Inclusion proof',
  showProof: 'Proof of #{index}',
  proofIntro:
    'Entry #{index} is leaf {index} of the tree of {size} entries. The audit path, from the leaf up:',
  proofRoot: 'Root computed from the proof: {root}',
  proofMatches: 'It matches the signed checkpoint of {size} entries.',
  proofPending: 'No signed checkpoint covers this entry yet; the proof is against the current log.',
  proofMismatch: 'It does NOT match the signed checkpoint.',
  leafHash: 'Leaf hash',
  noEntries: 'No entries match.',
  details: 'Details',
  // flags
  environment: 'Environment',
  key: 'Key',
  enabled: 'Enabled',
  rollout: 'Rollout',
  on: 'On',
  off: 'Off',
  history: 'History',
  historyOf: 'History of {key}',
  change: 'Change',
  changedBy: 'By',
  noFlags: 'No flags in this environment.',
  flagConflict: 'Someone changed {key} meanwhile; the list now shows their version. Try again.',
  // reports
  report: 'Report',
  interval: 'Interval',
  week: 'Week',
  month: 'Month',
  show: 'Show',
  downloadCsv: 'Download CSV',
  noRows: 'No rows in this range.',
  // notifications
  failedMessages: 'Failed messages',
  channel: 'Channel',
  recipient: 'Recipient',
  template: 'Message',
  attempts: 'Attempts',
  lastError: 'Last error',
  resend: 'Resend',
  resent: 'Queued again.',
  noMessages: 'No failed messages.',
  // links
  code: 'Code',
  destination: 'Destination',
  affiliate: 'Affiliate',
  campaign: 'Campaign',
  noLinks: 'No links.',
};

export type MessageKey = keyof typeof en;

const de: Record<MessageKey, string> = {
  skip: 'Zum Inhalt springen',
  brand: 'Backoffice',
  mainNav: 'Bereiche',
  language: 'English',
  signIn: 'Anmelden',
  signOut: 'Abmelden',
  signedInAs: 'Angemeldet als {email}',
  email: 'E-Mail',
  password: 'Passwort',
  badLogin: 'E-Mail und Passwort passen zu keinem Mitarbeiterkonto.',
  notStaff: 'Dieses Konto ist kein Mitarbeiterkonto.',
  tooManyAttempts: 'Zu viele Versuche. Warten Sie eine Minute und versuchen Sie es erneut.',
  formInvalid: 'Füllen Sie beide Felder aus.',
  csrfRefused:
    'Dieses Formular ist abgelaufen oder kam von einer anderen Seite. Laden Sie die Seite neu.',
  signedOut: 'Sie sind abgemeldet.',
  unavailable: 'Die Plattform antwortet gerade nicht. Versuchen Sie es gleich noch einmal.',
  noScript: 'Das Backoffice braucht JavaScript.',
  loading: 'Wird geladen …',
  dashboard: 'Übersicht',
  products: 'Produkte',
  audit: 'Prüfprotokoll',
  flags: 'Feature-Flags',
  reports: 'Berichte',
  notifications: 'Benachrichtigungen',
  links: 'Partnerlinks',
  noScreens: 'Ihre Rollen geben Ihnen hier keinen Bereich. Bitten Sie einen Administrator darum.',
  forbidden: 'Ihre Rollen erlauben das nicht.',
  notFound: 'Diesen Bereich gibt es nicht.',
  sessionEnded: 'Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an.',
  failed: 'Das hat nicht geklappt: {detail}',
  today: 'Heute',
  thisMonth: 'Dieser Monat',
  revenue: 'Umsatz',
  orders: 'Bestellungen',
  revenueLast30: 'Umsatz der letzten 30 Tage',
  chartTable: 'Das Diagramm als Tabelle',
  day: 'Tag',
  topProducts: 'Meistverkaufte Produkte diesen Monat',
  noSales: 'Noch keine Verkäufe.',
  rank: 'Rang',
  quantity: 'Menge',
  search: 'Suchen',
  searchProducts: 'Produkte suchen',
  status: 'Status',
  all: 'Alle',
  active: 'Aktiv',
  archived: 'Archiviert',
  name: 'Name',
  slug: 'Slug',
  category: 'Kategorie',
  price: 'Preis',
  stock: 'Bestand',
  version: 'Version',
  description: 'Beschreibung',
  edit: 'Bearbeiten',
  nextPage: 'Nächste Seite',
  previousPage: 'Vorige Seite',
  firstPage: 'Erste Seite',
  noProducts: 'Keine passenden Produkte.',
  editProduct: '{name} bearbeiten',
  newProduct: 'Neues Produkt',
  create: 'Anlegen',
  created: 'Angelegt.',
  save: 'Speichern',
  saved: 'Gespeichert.',
  back: 'Zurück zur Liste',
  archive: 'Archivieren',
  unarchive: 'Wieder aktivieren',
  priceHint: 'In {currency}, z. B. 12,99',
  badPrice: 'Geben Sie einen Preis wie 12,99 ein.',
  badStock: 'Geben Sie eine ganze Stückzahl ein.',
  conflictTitle: 'Jemand anderes hat dieses Produkt geändert',
  conflictIntro:
    'Während Sie bearbeitet haben, hat {who} Version {version} gespeichert. Wählen Sie je Feld, welchen Wert Sie behalten, und speichern Sie erneut.',
  someoneElse: 'eine andere Person',
  field: 'Feld',
  yours: 'Ihrer',
  theirs: 'Deren',
  keepMine: 'Meinen behalten',
  takeTheirs: 'Deren übernehmen',
  saveMerged: 'Zusammenführung speichern',
  cancel: 'Abbrechen',
  onlyTheyChanged: 'nur die andere Person hat es geändert',
  bothChanged: 'beide haben es geändert',
  onlyYouChanged: 'nur Sie haben es geändert',
  action: 'Aktion',
  actor: 'Person',
  target: 'Ziel',
  targetId: 'Ziel-Id',
  when: 'Wann',
  from: 'Von',
  to: 'Bis',
  filter: 'Filtern',
  clearFilters: 'Zurücksetzen',
  verify: 'Protokoll prüfen',
  verifying: 'Wird geprüft …',
  verifiedOk:
    'Das Protokoll ist unverändert: {size} Einträge nachgerechnet, {checkpoints} signierte Prüfpunkte stimmen.',
  verifiedBad: 'Das Protokoll stimmt nicht: {problem} bei Eintrag {index}. {detail}',
  proof: 'Inklusionsnachweis',
  showProof: 'Nachweis für #{index}',
  proofIntro:
    'Eintrag #{index} ist Blatt {index} des Baums aus {size} Einträgen. Der Prüfpfad vom Blatt aufwärts:',
  proofRoot: 'Aus dem Nachweis berechnete Wurzel: {root}',
  proofMatches: 'Sie stimmt mit dem signierten Prüfpunkt über {size} Einträge überein.',
  proofPending:
    'Noch kein signierter Prüfpunkt umfasst diesen Eintrag; der Nachweis gilt für das aktuelle Protokoll.',
  proofMismatch: 'Sie stimmt NICHT mit dem signierten Prüfpunkt überein.',
  leafHash: 'Blatt-Hash',
  noEntries: 'Keine passenden Einträge.',
  details: 'Details',
  environment: 'Umgebung',
  key: 'Schlüssel',
  enabled: 'Aktiv',
  rollout: 'Ausrollen',
  on: 'An',
  off: 'Aus',
  history: 'Verlauf',
  historyOf: 'Verlauf von {key}',
  change: 'Änderung',
  changedBy: 'Von',
  noFlags: 'Keine Flags in dieser Umgebung.',
  flagConflict:
    '{key} wurde inzwischen geändert; die Liste zeigt jetzt diese Fassung. Versuchen Sie es erneut.',
  report: 'Bericht',
  interval: 'Intervall',
  week: 'Woche',
  month: 'Monat',
  show: 'Anzeigen',
  downloadCsv: 'CSV herunterladen',
  noRows: 'Keine Zeilen in diesem Zeitraum.',
  failedMessages: 'Fehlgeschlagene Nachrichten',
  channel: 'Kanal',
  recipient: 'Empfänger',
  template: 'Nachricht',
  attempts: 'Versuche',
  lastError: 'Letzter Fehler',
  resend: 'Erneut senden',
  resent: 'Erneut eingereiht.',
  noMessages: 'Keine fehlgeschlagenen Nachrichten.',
  code: 'Code',
  destination: 'Ziel-URL',
  affiliate: 'Partner',
  campaign: 'Kampagne',
  noLinks: 'Keine Links.',
};

export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, de };

/** Whether `key` names a message (a flash kept in the session is only a string). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/**
 * The text of `key` in `locale`, with `{name}` placeholders filled.
 * @example translate('de', 'signedInAs', { email: 'a@b.c' }) // 'Angemeldet als a@b.c'
 */
export function translate(
  locale: Locale,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  return MESSAGES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
