import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isEntryPoint } from './is-entry-point.js';

const argv = process.argv;
afterEach(() => {
  process.argv = argv;
});

describe('isEntryPoint', () => {
  it('is true only for the script node was started with', () => {
    const self = new URL(import.meta.url);
    process.argv = [argv[0] ?? 'node', self.pathname];
    expect(isEntryPoint(import.meta.url)).toBe(true);
    expect(isEntryPoint(new URL('./open-database.ts', import.meta.url).href)).toBe(false);
  });

  it('is false without a script or when the script does not exist', () => {
    process.argv = [argv[0] ?? 'node'];
    expect(isEntryPoint(import.meta.url)).toBe(false);
    process.argv = [argv[0] ?? 'node', '/no/such/script.js'];
    expect(isEntryPoint(pathToFileURL('/no/such/script.js').href)).toBe(false);
  });
});
