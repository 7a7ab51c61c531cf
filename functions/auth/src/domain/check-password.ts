/** Shortest and longest passwords accepted (OWASP ASVS 2.1.1 / 2.1.2, in code points). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Why a new password is refused, or null when it is acceptable: too short or long, on the list
 * of common passwords (case-insensitive), or containing the email's local part.
 * @example checkPassword('password1234', 'ana@example.com', common) // 'is a commonly used password'
 */
export function checkPassword(
  password: string,
  email: string,
  commonPasswords: ReadonlySet<string>,
): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return `must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  }
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) return 'is a commonly used password; choose another';
  const localPart = email.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 3 && lower.includes(localPart)) {
    return 'must not contain your email address';
  }
  return null;
}
