import { readFileSync } from 'node:fs';

/** The bundled list (beside src/ and dist/ alike). */
const LIST_URL = new URL('../data/common-passwords.txt', import.meta.url);

let cached: ReadonlySet<string> | undefined;

/**
 * The common passwords refused at signup, lowercase; read once from data/common-passwords.txt.
 * @example loadCommonPasswords().has('password1234') // true
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  cached ??= new Set(
    readFileSync(LIST_URL, 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return cached;
}
