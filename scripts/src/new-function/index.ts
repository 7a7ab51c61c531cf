// `npm run new-function -- <name> [--port N]`: writes a new function that passes `npm run check`
// and `npm test` at once, registers it with the dev runner, the Knative kustomization and the
// dev ports, then links the workspace (npm install).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type NewFunction, renderFunction } from './templates.js';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const RESERVED = new Set(['shared', 'eventing', 'scripts', 'bench', 'e2e', 'sites']);

/** The names a function is known by, from its kebab-case Knative Service name. */
export function describeFunction(name: string, port: number): NewFunction {
  if (!NAME.test(name) || name.length > 40) {
    throw new Error(
      `"${name}" must be kebab-case (a-z, 0-9, single dashes), at most 40 characters`,
    );
  }
  if (RESERVED.has(name)) throw new Error(`"${name}" is a workspace of its own already`);
  const words = name.split('-');
  const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  return {
    name,
    identifier: words[0] + words.slice(1).map(capital).join(''),
    typeName: words.map(capital).join(''),
    schema: words.join('_'),
    port,
  };
}

/** Inserts `line` above the marker comment in a file (the registries the generator extends). */
function insertAbove(file: string, marker: string, line: string): void {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${file} lacks the marker "${marker}"`);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  writeFileSync(file, text.slice(0, lineStart) + line + text.slice(lineStart));
}

/** The dev port: the one ARCHITECTURE.md gives the name, else the first free one from 8093. */
function choosePort(root: string, name: string, wanted: number | undefined): number {
  const ports = readFileSync(join(root, 'eventing/src/broker/local-services.ts'), 'utf8');
  const known = new Map(
    [...ports.matchAll(/^\s+'?([a-z0-9-]+)'?: (\d{4}),$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  if (wanted !== undefined) return wanted;
  const existing = known.get(name);
  if (existing !== undefined) return existing;
  const taken = new Set(known.values());
  let port = 8093;
  while (taken.has(port) || port === 8070 || port === 8071) port += 1;
  return port;
}

/**
 * Writes the function's files under `root` and registers it; returns the paths written.
 * @example generateFunction('/path/to/repo', 'gift-card');
 */
export function generateFunction(
  root: string,
  name: string,
  options: { port?: number } = {},
): string[] {
  const port = choosePort(root, name, options.port);
  const fn = describeFunction(name, port);
  if (existsSync(join(root, 'functions', name))) throw new Error(`functions/${name} exists`);
  const files = renderFunction(fn);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { flag: 'wx' });
  }
  const registered: string[] = [];
  const portsFile = join(root, 'eventing/src/broker/local-services.ts');
  if (!readFileSync(portsFile, 'utf8').match(new RegExp(`^\\s+'?${name}'?: \\d+,$`, 'm'))) {
    insertAbove(portsFile, '// new-function: ports above this line', `  '${name}': ${port},\n`);
    registered.push('eventing/src/broker/local-services.ts');
  }
  const devFile = join(root, 'scripts/src/functions.ts');
  insertAbove(
    devFile,
    '// new-function: imports above this line',
    `import { ${fn.identifier} } from '@shop/${name}';\n`,
  );
  insertAbove(devFile, '// new-function: entries above this line', `  ${fn.identifier},\n`);
  const scriptsPackage = join(root, 'scripts/package.json');
  const pkg = JSON.parse(readFileSync(scriptsPackage, 'utf8')) as {
    dependencies: Record<string, string>;
  };
  pkg.dependencies[`@shop/${name}`] = '0.1.0';
  pkg.dependencies = Object.fromEntries(
    Object.entries(pkg.dependencies).sort(([a], [b]) => a.localeCompare(b)),
  );
  writeFileSync(scriptsPackage, `${JSON.stringify(pkg, null, 2)}\n`);
  insertAbove(
    join(root, 'knative/services/kustomization.yaml'),
    '# new-function: resources above this line',
    `  - ${name}.yaml\n  - ${name}-migrate-job.yaml\n`,
  );
  registered.push(
    'scripts/src/functions.ts',
    'scripts/package.json',
    'knative/services/kustomization.yaml',
  );
  return [...Object.keys(files), ...registered];
}

function run(): void {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { port: { type: 'string' }, 'no-install': { type: 'boolean' } },
    allowPositionals: true,
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) {
    throw new Error('usage: npm run new-function -- <name> [--port N]   (name: kebab-case)');
  }
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 1024 && port < 65536)) {
    throw new Error('--port must be an integer between 1025 and 65535');
  }
  const written = generateFunction(root, name, port === undefined ? {} : { port });
  // The house format (sorted imports, JSON and Markdown layout), so `npm run check` passes.
  execFileSync(join(root, 'node_modules/.bin/biome'), ['check', '--write', ...written], {
    cwd: root,
    stdio: 'inherit',
  });
  console.log(`wrote and registered:\n${written.map((path) => `  ${path}`).join('\n')}`);
  if (!values['no-install']) {
    // Links the new workspace and records it in package-lock.json.
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  }
  console.log(
    `\nfunctions/${name} is ready: npm run check && npm test -- functions/${name}\n` +
      `It starts with npm run dev; declare its events in src/events.ts (and the catalog).`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    run();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
