import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// A checkout of its own whose install is current, so the bootstrap never runs npm ci here.
const root = mkdtempSync(join(tmpdir(), 'ensure-install-'));
const script = join(root, 'scripts', 'ensure-install.mjs');
mkdirSync(join(root, 'scripts'));
mkdirSync(join(root, 'node_modules'));
copyFileSync(fileURLToPath(new URL('../ensure-install.mjs', import.meta.url)), script);
writeFileSync(join(root, 'package-lock.json'), '{}');
writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{}');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bootstrap(...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
}

// The install of Node 24 into .node/ on an older node is tried by hand on a fresh clone (it
// downloads Node); here the bootstrap runs on the Node 24 of the test run.
describe('scripts/ensure-install.mjs', () => {
  it('runs the command with the arguments npm appends and answers with its exit code', () => {
    const run = bootstrap(
      'node',
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1))); process.exit(7)',
      '--',
      '--reporter=json',
      'two words',
    );
    expect(run.stdout.trim()).toBe('["--reporter=json","two words"]');
    expect(run.status).toBe(7);
  });

  it('runs the command on Node 24 with the workspace binaries on PATH', () => {
    const run = bootstrap('node', '-p', 'process.version + " " + process.env.PATH');
    const [version, path] = run.stdout.trim().split(' ');
    expect(version).toMatch(/^v24\./);
    expect(path?.split(':').slice(0, 2)).toEqual([
      dirname(process.execPath),
      join(root, 'node_modules', '.bin'),
    ]);
    expect(run.status).toBe(0);
  });

  it('prints the folder of Node 24 for scripts/node24.sh', () => {
    const run = bootstrap('--node-bin');
    expect(run.stdout).toBe(`${dirname(process.execPath)}\n`);
    expect(run.status).toBe(0);
  });
});
