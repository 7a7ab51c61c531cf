// English at /, German at /de/…: the locale comes from the path, every text from this table.

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** The BCP 47 tag Intl formats with, and the `lang`/`hreflang` of each locale. */
export const LOCALE_TAGS: Record<Locale, string> = { en: 'en-GB', de: 'de-DE' };

/**
 * The locale of a path and the path without its locale prefix.
 * @example splitLocale('/de/p/kettle') // { locale: 'de', path: '/p/kettle' }
 */
export function splitLocale(pathname: string): { locale: Locale; path: string } {
  if (pathname === '/de' || pathname.startsWith('/de/')) {
    return { locale: 'de', path: pathname.slice(3) || '/' };
  }
  return { locale: 'en', path: pathname };
}

/**
 * `path` (without a prefix) in `locale`.
 * @example localePath('de', '/cart') // '/de/cart'
 */
export function localePath(locale: Locale, path: string): string {
  if (locale === 'en') return path;
  return path === '/' ? '/de' : `/de${path}`;
}

const en = {
  skip: 'Skip to content',
  home: 'Home',
  search: 'Search',
  searchPlaceholder: 'Search products',
  cart: 'Cart',
  account: 'Account',
  orders: 'Your orders',
  signIn: 'Sign in',
  signUp: 'Create account',
  signOut: 'Sign out',
  language: 'Deutsch',
  categories: 'Categories',
  featured: 'New in the shop',
  allCategories: 'All categories',
  priceRange: 'Price',
  minPrice: 'From',
  maxPrice: 'To',
  inStockOnly: 'In stock only',
  sort: 'Sort by',
  sortRelevance: 'Relevance',
  sortNewest: 'Newest',
  sortPriceAsc: 'Price, low to high',
  sortPriceDesc: 'Price, high to low',
  sortName: 'Name',
  apply: 'Apply',
  nextPage: 'Next page',
  firstPage: 'First page',
  noResults: 'No products match.',
  results: 'Results',
  inStock: 'In stock',
  fewLeft: 'Only {n} left',
  outOfStock: 'Out of stock',
  quantity: 'Quantity',
  addToCart: 'Add to cart',
  related: 'You may also like',
  cartEmpty: 'Your cart is empty.',
  update: 'Update',
  remove: 'Remove',
  total: 'Total',
  lineTotal: 'Line total',
  priceChanged: 'The price changed from {was} to {now} since you added it.',
  notEnoughStock: 'Only {n} left: lower the quantity to check out.',
  notForSale: 'No longer for sale; remove it to check out.',
  checkout: 'Check out',
  added: 'Added to your cart.',
  cartUpdated: 'Cart updated.',
  email: 'Email',
  password: 'Password',
  passwordHint: '12 characters or more',
  name: 'Name',
  marketingConsent: 'Send me offers by email',
  haveAccount: 'Already have an account?',
  noAccount: 'New here?',
  signedIn: 'Welcome back.',
  signedUp: 'Your account is ready.',
  signedOut: 'You are signed out.',
  badLogin: 'That email and password do not match.',
  tooManyAttempts: 'Too many attempts; try again in a moment.',
  emailTaken: 'There is already an account with this email.',
  formInvalid: 'Please check the fields marked below.',
  shippingAddress: 'Shipping address',
  line1: 'Street and number',
  line2: 'Address line 2 (optional)',
  postalCode: 'Postal code',
  city: 'City',
  country: 'Country (two letters, e.g. DE)',
  placeOrder: 'Order and pay',
  order: 'Order',
  orderStatus: 'Status',
  payNow: 'Pay now at the payment provider',
  waitingForPayment: 'Waiting for your payment. This page refreshes by itself.',
  orderPaid: 'Thank you! Your order is paid.',
  noOrders: 'You have no orders yet.',
  placedAt: 'Placed',
  status_pending_payment: 'Awaiting payment',
  status_paid: 'Paid',
  status_payment_failed: 'Payment failed',
  status_payment_review: 'Payment under review',
  status_cancelled: 'Cancelled',
  status_refunded: 'Refunded',
  status_partially_refunded: 'Partially refunded',
  cartDescription: 'The products in your cart, their quantities and the total.',
  helpTitle: 'Shipping and returns',
  helpDescription: 'How we ship, what delivery costs, and how to return an order.',
  helpShippingTitle: 'Shipping',
  helpShipping:
    'Orders paid on a working day before 2 pm leave our warehouse the same day. Delivery takes two to four working days.',
  helpReturnsTitle: 'Returns',
  helpReturns:
    'You may return anything within 30 days of delivery, unused and in its packaging. We refund the amount paid to the payment method you used.',
  helpContactTitle: 'Questions',
  helpContact:
    'Your order page shows its status and every payment. Write to us quoting the order number.',
  notFoundTitle: 'Page not found',
  notFoundText: 'We could not find that page.',
  errorTitle: 'Something went wrong',
  errorText: 'Please try again in a moment.',
  csrfRefused: 'This form expired or came from another site. Please try again.',
  unavailable: 'The shop is busy right now; please try again in a moment.',
  breadcrumb: 'Breadcrumb',
  mainNav: 'Main',
  price: 'Price',
  checkoutSignIn: 'Sign in to check out.',
  cartProblems: 'Some items in your cart need your attention.',
  forgotPassword: 'Forgot your password?',
  resetRequestTitle: 'Reset your password',
  resetRequestHelp:
    'Enter the email of your account and we will send you a link to choose a new password.',
  resetRequestSend: 'Send the link',
  resetRequestSent:
    'If an account uses that address, a link is on its way. It works once and for a limited time.',
  resetTitle: 'Choose a new password',
  newPassword: 'New password (at least 12 characters)',
  resetSave: 'Save the new password',
  resetDone: 'Your password is changed and every session was signed out. Sign in with the new one.',
  linkCode: 'Code from the link',
  linkCodeHelp:
    'Opened with JavaScript off? Paste everything after “#token=” in the link from your email.',
  linkInvalid:
    'This link does not work: it was used already, has expired or is incomplete. Ask for a new one.',
  passwordWeak: 'That password is too short or too common.',
  verifyTitle: 'Confirm your email',
  verifyHelp: 'Confirm that this address is yours.',
  verifyConfirm: 'Confirm my email',
  verifyDone: 'Thank you: {email} is confirmed.',
  verifyResend: 'Send me a new confirmation link',
  verifyResent: 'A new link is on its way; earlier links no longer work.',
  emailChangeTitle: 'Confirm your new email',
  emailChangeConfirm: 'Confirm the change',
  emailChangeWaiting: 'Confirmed here. Now open the link we sent to the other address.',
  emailChangeDone: 'Your email is now {email}.',
  profile: 'Your account',
  profileSaved: 'Your details are saved.',
  profileStale:
    'Your details were changed elsewhere in the meantime; here they are as they are now. Please make your change again.',
  displayName: 'Name',
  preferredLanguage: 'Language of our emails',
  saveChanges: 'Save changes',
  addresses: 'Your addresses',
  addAddress: 'Add the address',
  newAddress: 'A new address',
  addressAdded: 'The address is saved.',
  addressRemoved: 'The address is removed.',
  addressLimit: 'You can keep at most 10 addresses; remove one first.',
  removeAddress: 'Remove',
  defaultShipping: 'Default for delivery',
  makeDefault: 'Use for delivery by default',
  noAddresses: 'You have no saved addresses yet.',
  shipTo: 'Deliver to',
  saveAddress: 'Save this address in my account',
  changeEmail: 'Change your email',
  newEmail: 'New email',
  currentPassword: 'Your current password',
  emailChangeSent: 'We sent a link to both addresses. The change happens once both are confirmed.',
  emailSame: 'That is your current address.',
  deleteAccount: 'Delete your account',
  deleteExplain:
    'This erases your name, addresses and consent history and signs you out everywhere. Orders stay for our accounts, without your personal details. It cannot be undone.',
  deleteConfirmLabel: 'Type DELETE to confirm',
  deleteConfirm: 'Delete my account',
  accountDeleted: 'Your account is deleted.',
  consentHistory: 'Marketing consent',
  consentGiven: 'You agreed on {date}.',
  consentNone: 'You have not agreed to marketing emails.',
} as const;

export type MessageKey = keyof typeof en;

const de: Record<MessageKey, string> = {
  skip: 'Zum Inhalt springen',
  home: 'Start',
  search: 'Suche',
  searchPlaceholder: 'Produkte suchen',
  cart: 'Warenkorb',
  account: 'Konto',
  orders: 'Ihre Bestellungen',
  signIn: 'Anmelden',
  signUp: 'Konto anlegen',
  signOut: 'Abmelden',
  language: 'English',
  categories: 'Kategorien',
  featured: 'Neu im Shop',
  allCategories: 'Alle Kategorien',
  priceRange: 'Preis',
  minPrice: 'Von',
  maxPrice: 'Bis',
  inStockOnly: 'Nur verfügbare',
  sort: 'Sortieren nach',
  sortRelevance: 'Relevanz',
  sortNewest: 'Neueste',
  sortPriceAsc: 'Preis aufsteigend',
  sortPriceDesc: 'Preis absteigend',
  sortName: 'Name',
  apply: 'Anwenden',
  nextPage: 'Nächste Seite',
  firstPage: 'Erste Seite',
  noResults: 'Keine passenden Produkte.',
  results: 'Ergebnisse',
  inStock: 'Auf Lager',
  fewLeft: 'Nur noch {n} verfügbar',
  outOfStock: 'Ausverkauft',
  quantity: 'Menge',
  addToCart: 'In den Warenkorb',
  related: 'Das könnte Ihnen auch gefallen',
  cartEmpty: 'Ihr Warenkorb ist leer.',
  update: 'Aktualisieren',
  remove: 'Entfernen',
  total: 'Summe',
  lineTotal: 'Zwischensumme',
  priceChanged: 'Der Preis hat sich von {was} auf {now} geändert.',
  notEnoughStock: 'Nur noch {n} verfügbar: bitte Menge verringern.',
  notForSale: 'Nicht mehr erhältlich; bitte entfernen.',
  checkout: 'Zur Kasse',
  added: 'In den Warenkorb gelegt.',
  cartUpdated: 'Warenkorb aktualisiert.',
  email: 'E-Mail',
  password: 'Passwort',
  passwordHint: 'Mindestens 12 Zeichen',
  name: 'Name',
  marketingConsent: 'Angebote per E-Mail erhalten',
  haveAccount: 'Schon ein Konto?',
  noAccount: 'Neu hier?',
  signedIn: 'Willkommen zurück.',
  signedUp: 'Ihr Konto ist angelegt.',
  signedOut: 'Sie sind abgemeldet.',
  badLogin: 'E-Mail und Passwort passen nicht zusammen.',
  tooManyAttempts: 'Zu viele Versuche; bitte gleich noch einmal.',
  emailTaken: 'Mit dieser E-Mail gibt es schon ein Konto.',
  formInvalid: 'Bitte prüfen Sie die markierten Felder.',
  shippingAddress: 'Lieferadresse',
  line1: 'Straße und Hausnummer',
  line2: 'Adresszusatz (optional)',
  postalCode: 'Postleitzahl',
  city: 'Ort',
  country: 'Land (zwei Buchstaben, z. B. DE)',
  placeOrder: 'Bestellen und bezahlen',
  order: 'Bestellung',
  orderStatus: 'Status',
  payNow: 'Jetzt beim Zahlungsanbieter bezahlen',
  waitingForPayment: 'Wir warten auf Ihre Zahlung. Diese Seite lädt sich selbst neu.',
  orderPaid: 'Vielen Dank! Ihre Bestellung ist bezahlt.',
  noOrders: 'Sie haben noch keine Bestellungen.',
  placedAt: 'Bestellt',
  status_pending_payment: 'Zahlung ausstehend',
  status_paid: 'Bezahlt',
  status_payment_failed: 'Zahlung fehlgeschlagen',
  status_payment_review: 'Zahlung wird geprüft',
  status_cancelled: 'Storniert',
  status_refunded: 'Erstattet',
  status_partially_refunded: 'Teilweise erstattet',
  cartDescription: 'Die Produkte in Ihrem Warenkorb, ihre Mengen und die Summe.',
  helpTitle: 'Versand und Rückgabe',
  helpDescription:
    'Wie wir versenden, was die Lieferung kostet und wie Sie eine Bestellung zurückgeben.',
  helpShippingTitle: 'Versand',
  helpShipping:
    'Bestellungen, die an einem Werktag vor 14 Uhr bezahlt werden, verlassen unser Lager am selben Tag. Die Lieferung dauert zwei bis vier Werktage.',
  helpReturnsTitle: 'Rückgabe',
  helpReturns:
    'Sie können alles innerhalb von 30 Tagen nach der Lieferung unbenutzt und in der Verpackung zurückgeben. Wir erstatten den gezahlten Betrag auf das Zahlungsmittel, mit dem Sie bezahlt haben.',
  helpContactTitle: 'Fragen',
  helpContact:
    'Ihre Bestellseite zeigt den Stand und jede Zahlung. Schreiben Sie uns mit der Bestellnummer.',
  notFoundTitle: 'Seite nicht gefunden',
  notFoundText: 'Diese Seite gibt es nicht.',
  errorTitle: 'Etwas ist schiefgelaufen',
  errorText: 'Bitte versuchen Sie es gleich noch einmal.',
  csrfRefused: 'Dieses Formular ist abgelaufen oder kam von einer anderen Seite. Bitte erneut.',
  unavailable: 'Der Shop ist gerade ausgelastet; bitte gleich noch einmal.',
  breadcrumb: 'Brotkrumen',
  mainNav: 'Hauptmenü',
  price: 'Preis',
  checkoutSignIn: 'Melden Sie sich an, um zu bestellen.',
  cartProblems: 'Einige Artikel im Warenkorb brauchen Ihre Aufmerksamkeit.',
  forgotPassword: 'Passwort vergessen?',
  resetRequestTitle: 'Passwort zurücksetzen',
  resetRequestHelp:
    'Geben Sie die E-Mail Ihres Kontos ein; wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort wählen.',
  resetRequestSend: 'Link senden',
  resetRequestSent:
    'Wenn ein Konto diese Adresse nutzt, ist ein Link unterwegs. Er funktioniert einmal und nur eine Zeit lang.',
  resetTitle: 'Neues Passwort wählen',
  newPassword: 'Neues Passwort (mindestens 12 Zeichen)',
  resetSave: 'Neues Passwort speichern',
  resetDone:
    'Ihr Passwort ist geändert und alle Sitzungen sind abgemeldet. Melden Sie sich mit dem neuen an.',
  linkCode: 'Code aus dem Link',
  linkCodeHelp:
    'Ohne JavaScript geöffnet? Fügen Sie alles nach „#token=“ aus dem Link in Ihrer E-Mail ein.',
  linkInvalid:
    'Dieser Link funktioniert nicht: Er wurde schon benutzt, ist abgelaufen oder unvollständig. Fordern Sie einen neuen an.',
  passwordWeak: 'Dieses Passwort ist zu kurz oder zu verbreitet.',
  verifyTitle: 'E-Mail bestätigen',
  verifyHelp: 'Bestätigen Sie, dass diese Adresse Ihnen gehört.',
  verifyConfirm: 'Meine E-Mail bestätigen',
  verifyDone: 'Danke: {email} ist bestätigt.',
  verifyResend: 'Neuen Bestätigungslink senden',
  verifyResent: 'Ein neuer Link ist unterwegs; frühere Links gelten nicht mehr.',
  emailChangeTitle: 'Neue E-Mail bestätigen',
  emailChangeConfirm: 'Änderung bestätigen',
  emailChangeWaiting:
    'Hier bestätigt. Öffnen Sie jetzt den Link, den wir an die andere Adresse geschickt haben.',
  emailChangeDone: 'Ihre E-Mail ist jetzt {email}.',
  profile: 'Ihr Konto',
  profileSaved: 'Ihre Angaben sind gespeichert.',
  profileStale:
    'Ihre Angaben wurden inzwischen anderswo geändert; hier sind sie, wie sie jetzt sind. Bitte ändern Sie sie erneut.',
  displayName: 'Name',
  preferredLanguage: 'Sprache unserer E-Mails',
  saveChanges: 'Änderungen speichern',
  addresses: 'Ihre Adressen',
  addAddress: 'Adresse speichern',
  newAddress: 'Eine neue Adresse',
  addressAdded: 'Die Adresse ist gespeichert.',
  addressRemoved: 'Die Adresse ist entfernt.',
  addressLimit: 'Sie können höchstens 10 Adressen speichern; entfernen Sie zuerst eine.',
  removeAddress: 'Entfernen',
  defaultShipping: 'Standard für die Lieferung',
  makeDefault: 'Standardmäßig für die Lieferung verwenden',
  noAddresses: 'Sie haben noch keine Adressen gespeichert.',
  shipTo: 'Liefern an',
  saveAddress: 'Diese Adresse in meinem Konto speichern',
  changeEmail: 'E-Mail ändern',
  newEmail: 'Neue E-Mail',
  currentPassword: 'Ihr aktuelles Passwort',
  emailChangeSent:
    'Wir haben an beide Adressen einen Link geschickt. Die Änderung gilt, sobald beide bestätigt sind.',
  emailSame: 'Das ist Ihre aktuelle Adresse.',
  deleteAccount: 'Konto löschen',
  deleteExplain:
    'Dies löscht Ihren Namen, Ihre Adressen und Ihre Einwilligungen und meldet Sie überall ab. Bestellungen bleiben für unsere Buchhaltung, ohne Ihre persönlichen Angaben. Das lässt sich nicht rückgängig machen.',
  deleteConfirmLabel: 'Geben Sie LÖSCHEN ein, um zu bestätigen',
  deleteConfirm: 'Mein Konto löschen',
  accountDeleted: 'Ihr Konto ist gelöscht.',
  consentHistory: 'Werbe-Einwilligung',
  consentGiven: 'Sie haben am {date} zugestimmt.',
  consentNone: 'Sie haben Werbe-E-Mails nicht zugestimmt.',
};

const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, de };

/** Whether `key` names a message (a notice kept in the session is checked before it is shown). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/**
 * The text of `key` in `locale`, with `{name}` placeholders filled.
 * @example translate('de', 'fewLeft', { n: 3 }) // 'Nur noch 3 verfügbar'
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

/**
 * A date (ISO-8601) formatted for `locale`.
 * @example formatDate('2026-12-02T10:00:00Z', 'de') // '2. Dez. 2026, 10:00'
 */
export function formatDate(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(LOCALE_TAGS[locale], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(iso));
}
