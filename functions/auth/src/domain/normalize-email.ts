/**
 * The form an email is stored and looked up in: trimmed, Unicode NFC, lowercase. Lowercasing the
 * local part too is a deliberate choice: no mainstream provider treats it case-sensitively, and
 * two accounts differing only by case would confuse people.
 * @example normalizeEmail('  Ana@Example.COM ') // 'ana@example.com'
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
