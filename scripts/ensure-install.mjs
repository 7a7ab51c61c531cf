// The bootstrap in front of `npm run dev` and `npm test`, so they work as the first commands on a
// fresh clone whatever `node` is on PATH:
//
//   node scripts/ensure-install.mjs <command> [args…]
//
// 1. Node 24: when the running node is not 24, the pinned build (PINNED_NODE, or SHOP_NODE_VERSION)
//    is installed from the npm registry (package node-linux-<arch>) into the git-ignored .node/
//    folder, once; later runs reuse it.
// 2. Dependencies: `npm ci` when node_modules is missing or older than package-lock.json.
// 3. <command> runs with that Node 24 and node_modules/.bin first on PATH, with the same
//    arguments (npm appends the ones after `npm test --`); its exit code is ours.
//
// `--node-bin` instead of a command only does step 1 and prints the folder holding Node 24's
// `node` (scripts/node24.sh puts it on PATH). Without a command, steps 1 and 2 only.
//
// It must run on old Node versions (that is its point): plain ESM, nothing newer than Node 14.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PINNED_NODE = '24.21.0';
const REQUIRED_MAJOR = 24;

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const version = process.env.SHOP_NODE_VERSION || PINNED_NODE;

function fail(message) {
  process.stderr.write(`ensure-install: ${message}\n`);
  process.exit(1);
}

function majorOf(nodeVersion) {
  return Number(String(nodeVersion).replace(/^v/, '').split('.')[0]);
}

/** The folder holding a Node 24 `node`: the running one's, else the pinned one in .node/. */
function ensureNode24() {
  if (majorOf(process.versions.node) === REQUIRED_MAJOR) return dirname(process.execPath);
  // The registry's node-linux-* packages hold the official Linux builds; elsewhere use nvm & co.
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (process.platform !== 'linux' || !arch) {
    fail(
      `this is Node ${process.versions.node}; the Node ${REQUIRED_MAJOR} bootstrap knows only ` +
        `Linux x64 and arm64: install Node ${REQUIRED_MAJOR} yourself (.nvmrc).`,
    );
  }
  const pkg = `node-linux-${arch}`;
  const prefix = join(root, '.node');
  const bin = join(prefix, 'node_modules', pkg, 'bin');
  if (installedVersion(join(bin, 'node')) !== `v${version}`) {
    process.stderr.write(
      `ensure-install: this is Node ${process.versions.node}, the project needs ` +
        `${REQUIRED_MAJOR}: installing ${pkg}@${version} into .node/\n`,
    );
    mkdirSync(prefix, { recursive: true });
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--prefix',
        prefix,
        `${pkg}@${version}`,
      ],
      { cwd: prefix, stdio: ['ignore', 2, 2] },
    );
    if (npm.error) fail(`could not run npm to install Node ${version}: ${npm.error.message}`);
    if (npm.status !== 0) fail(`npm install ${pkg}@${version} failed (see above)`);
    const got = installedVersion(join(bin, 'node'));
    if (got !== `v${version}`) fail(`${pkg}@${version} installed, but its node says ${got}`);
  }
  return bin;
}

function installedVersion(node) {
  if (!existsSync(node)) return '';
  const run = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : '';
}

/** PATH with Node 24 and the workspace's binaries first. */
function pathWith(nodeBin) {
  return [nodeBin, join(root, 'node_modules', '.bin'), process.env.PATH || ''].join(delimiter);
}

/** `npm ci` (under Node 24) when node_modules is missing or older than the lock file. */
function ensureInstall(env) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000;
  if (!stale) return;
  process.stderr.write('ensure-install: installing dependencies (npm ci)…\n');
  // npm's output goes to stderr: stdout is the command's (`eval "$(npm run -s infra -- env)"`).
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    env,
    stdio: ['ignore', 2, 2],
  });
  if (npm.error) fail(`could not run npm ci: ${npm.error.message}`);
  if (npm.status !== 0) fail('npm ci failed (see above)');
}

/** Runs the command to its end; our exit code (or signal) is its. */
function run(command, args, env) {
  const child = spawn(command, args, { env, stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself (one process group), so SIGINT is only
  // kept from ending us early: passed on it would arrive twice (the dev runner stops at once on a
  // second one). SIGTERM and SIGHUP are sent to one process: they are passed on.
  const forward = (signal) => {
    if (signal !== 'SIGINT') child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (error) => fail(`could not start ${command}: ${error.message}`));
  child.on('exit', (code, signal) => {
    for (const s of signals) process.removeListener(s, forward);
    if (signal) {
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}

const argv = process.argv.slice(2);
if (argv[0] === '--node-bin') {
  process.stdout.write(`${ensureNode24()}\n`);
} else {
  const nodeBin = ensureNode24();
  const env = Object.assign({}, process.env, { PATH: pathWith(nodeBin) });
  ensureInstall(env);
  if (argv.length > 0) run(argv[0], argv.slice(1), env);
}
