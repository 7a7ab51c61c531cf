// A customer as user's staff routes give them (/api/admin/users, /api/admin/users/:id).

export interface CustomerSummary {
  id: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  preferredCurrency: string | null;
  marketingConsent: boolean;
  marketingConsentAt: string | null;
  version: number;
  registeredAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface Customer extends CustomerSummary {
  addresses: {
    id: string;
    label: string | null;
    name: string;
    line1: string;
    line2: string | null;
    postalCode: string;
    city: string;
    region: string | null;
    country: string;
    phone: string | null;
    isDefaultShipping: boolean;
    isDefaultBilling: boolean;
  }[];
  consentHistory: { granted: boolean; origin: 'registration' | 'profile'; recordedAt: string }[];
}
