// Installs the workspace (npm ci) when node_modules is missing or older than the lock file,
// so `npm run dev` and `npm test` work as the first command on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node ${process.versions.node} is too old: this project needs Node 24.\n` +
      'Run `source scripts/node24.sh` first (it installs Node 24 into .node/ when needed).',
  );
  process.exit(1);
}
const marker = 'node_modules/.package-lock.json';
const stale =
  !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale) {
  console.error('Installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
