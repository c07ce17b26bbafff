// Embedded demo mode only (no USERS_FILE, no JWT settings): users whose password is their
// name, so anyone can try every role. The log says so at start; they never exist otherwise.
import type { LocalUser } from './users-file.js';
import { hashPassword } from './password.js';

const DEMO: Omit<LocalUser, 'password_hash'>[] = [
  { username: 'admin', role: 'admin', company_id: null },
  { username: 'operator', role: 'operator', company_id: null },
  { username: 'noc', role: 'noc', company_id: null },
  { username: 'user-acme', role: 'user', company_id: 'acme' },
  { username: 'user-globex', role: 'user', company_id: 'globex' },
];

export async function demoUsers(): Promise<Map<string, LocalUser>> {
  const users = new Map<string, LocalUser>();
  for (const user of DEMO)
    users.set(user.username, { ...user, password_hash: await hashPassword(user.username) });
  return users;
}
