// `npm run create-staff -w @shop/auth -- --email ops@example.com --name "Ops" [--role marketing]`:
// creates a staff user with the staff roles given (`--role` repeated; default administrator). An email that already has an account is refused unless `--promote-existing` is given:
// then that account gets the staff role and the given password, and all its sessions end. The
// password comes from STAFF_PASSWORD or stdin, never from argv (which other users of the machine
// can read in the process list).
import { parseArgs } from 'node:util';
import { createLogger, isEntryPoint, openDatabase, prepareSchema } from '@shop/shared';
import { auth } from './main.js';
import { createStaffUser, type StaffUserResult } from './staff.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Runs the script with `argv` (without node and the script) and `env`.
 * @example await runCreateStaff(['--email', 'ops@example.com', '--name', 'Ops'], { STAFF_PASSWORD: '…', DATABASE_URL: '…' });
 */
export async function runCreateStaff(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  readPassword: () => Promise<string> = readStdin,
): Promise<StaffUserResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      'promote-existing': { type: 'boolean', default: false },
      role: { type: 'string', multiple: true },
    },
    strict: true,
  });
  if (!values.email || !values.name) {
    throw new Error(
      'usage: create-staff --email <email> --name <name> [--role <name>]… [--promote-existing]  ' +
        '(roles: default administrator) ' +
        '(password: STAFF_PASSWORD or stdin)',
    );
  }
  const config = auth.loadConfig(env);
  const log = createLogger({ service: 'auth', level: config.LOG_LEVEL });
  if (!config.DATABASE_URL && !config.PGLITE_DATA_DIR) {
    throw new Error('set DATABASE_URL (or PGLITE_DATA_DIR): an in-memory database would be lost');
  }
  const password = env.STAFF_PASSWORD ?? (await readPassword());
  const db = await openDatabase(config, { service: 'auth' });
  try {
    // Migrates with RUN_MIGRATIONS=true; else names the migrate command when some are pending.
    await prepareSchema(db, { ...auth.migrations, run: config.RUN_MIGRATIONS, log });
    const result = await createStaffUser(
      db,
      { email: values.email, name: values.name, password, roles: values.role ?? [] },
      { promoteExisting: values['promote-existing'] },
    );
    log.info(
      result,
      result.created
        ? 'staff user created'
        : 'existing user granted staff: password reset, every session revoked',
    );
    return result;
  } finally {
    await db.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  runCreateStaff(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
