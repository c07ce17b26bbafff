// USERS_FILE: local users with password hashes only (docs/interface/access.md). JSON:
// { "users": [ { "username", "password_hash", "role", "company_id" } ] }.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { ROLES, type Role } from '@live-calls/protocol';
import { isPasswordHash } from './password.js';

export interface LocalUser {
  username: string;
  password_hash: string;
  role: Role;
  company_id: string | null;
}

export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
}

const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

export function validateUser(value: unknown, where: string): LocalUser {
  if (typeof value !== 'object' || value === null)
    throw new UsersFileError(`${where}: not an object`);
  const user = value as Record<string, unknown>;
  if (typeof user.username !== 'string' || !USERNAME.test(user.username)) {
    throw new UsersFileError(`${where}: username must match ${USERNAME.source}`);
  }
  if (typeof user.password_hash !== 'string' || !isPasswordHash(user.password_hash)) {
    throw new UsersFileError(
      `${where}: password_hash must be an scrypt hash (use the users command)`,
    );
  }
  if (typeof user.role !== 'string' || !(ROLES as readonly string[]).includes(user.role)) {
    throw new UsersFileError(`${where}: role must be one of ${ROLES.join(', ')}`);
  }
  const company = user.company_id ?? null;
  if (
    company !== null &&
    (typeof company !== 'string' || company.length === 0 || company.length > 256)
  ) {
    throw new UsersFileError(`${where}: company_id must be a non-empty string or null`);
  }
  if (user.role === 'user' && company === null)
    throw new UsersFileError(`${where}: role user needs a company_id`);
  return {
    username: user.username,
    password_hash: user.password_hash,
    role: user.role as Role,
    company_id: company,
  };
}

export function parseUsers(text: string, path: string): Map<string, LocalUser> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsersFileError(`${path}: not valid JSON`);
  }
  const list = (data as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new UsersFileError(`${path}: expected { "users": [...] }`);
  const users = new Map<string, LocalUser>();
  list.forEach((entry, i) => {
    const user = validateUser(entry, `${path}: users[${i}]`);
    if (users.has(user.username))
      throw new UsersFileError(`${path}: duplicate user ${user.username}`);
    users.set(user.username, user);
  });
  return users;
}

export async function loadUsers(path: string): Promise<Map<string, LocalUser>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new UsersFileError(`${path}: ${(err as Error).message}`);
  }
  return parseUsers(text, path);
}

/** Writes the file atomically (temp file + rename), readable by its owner only. */
export async function saveUsers(path: string, users: Map<string, LocalUser>): Promise<void> {
  const body = `${JSON.stringify({ users: [...users.values()] }, null, 2)}\n`;
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, body, { mode: 0o600 });
  await rename(temp, path);
}
