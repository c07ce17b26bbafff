// `pnpm --dir backend users add <name> --role <role> [--company <id>]`: adds or updates a
// local user in USERS_FILE. The password is read from standard input (one line), never
// from the command line, so it stays out of shell history and process lists.
import { createInterface } from 'node:readline';
import { ROLES, type Role } from '@live-calls/protocol';
import { hashPassword } from '../auth/password.js';
import { loadUsers, saveUsers, validateUser, UsersFileError } from '../auth/users-file.js';

const USAGE =
  'usage: users add <username> --role <admin|operator|noc|user> [--company <id>]   (password on stdin; USERS_FILE names the file)';

async function readPassword(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) process.stderr.write('password: ');
  for await (const line of lines) return line;
  return '';
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const [command, username, ...rest] = argv;
  if (command !== 'add' || username === undefined) fail(USAGE);
  let role: string | undefined;
  let company: string | null = null;
  for (let i = 0; i < rest.length; i += 2) {
    const value = rest[i + 1];
    if (value === undefined) fail(USAGE);
    if (rest[i] === '--role') role = value;
    else if (rest[i] === '--company') company = value;
    else fail(USAGE);
  }
  if (role === undefined || !(ROLES as readonly string[]).includes(role))
    fail(`--role must be one of ${ROLES.join(', ')}`);
  const path = process.env.USERS_FILE;
  if (path === undefined || path === '') fail('USERS_FILE: set it to the users file to write');
  const password = await readPassword();
  if (password.length < 8) fail('password: at least 8 characters');
  try {
    const users = await loadUsers(path);
    const user = validateUser(
      {
        username,
        password_hash: await hashPassword(password),
        role: role as Role,
        company_id: company,
      },
      'user',
    );
    const existed = users.has(username);
    users.set(username, user);
    await saveUsers(path, users);
    process.stdout.write(
      `${existed ? 'updated' : 'added'} ${username} (${role}${company === null ? '' : `, ${company}`}) in ${path}\n`,
    );
  } catch (err) {
    if (err instanceof UsersFileError) fail(err.message);
    throw err;
  }
}

await main(process.argv.slice(2));
