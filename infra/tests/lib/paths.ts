// Where things are: the repository, the kit, and the built services the checks run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const INFRA = `${REPO}infra/`;
export const BACKEND_ENTRY = `${REPO}backend/dist/server.js`;
export const BRIDGE_ENTRY = `${REPO}bridge/dist/main.js`;
export const USERS_CLI = `${REPO}backend/dist/cli/users.js`;

/** The built services, or a clear failure: the checks run what `pnpm build` made. */
export function requireBuild(): void {
  for (const entry of [BACKEND_ENTRY, BRIDGE_ENTRY, USERS_CLI])
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run pnpm build first`);
}
