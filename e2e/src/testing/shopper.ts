// What the stories' shoppers type in: the same password for everyone, a shipping address.

export const PASSWORD = 'correct horse battery staple 42';

export const address = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Way',
  postalCode: '10115',
  city: 'Berlin',
  country: 'DE',
};
