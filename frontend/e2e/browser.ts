// Debian's Chromium driven by playwright-core. Each launch is a fresh browser; each context
// in it is isolated (own cookies and storage), so two users can be signed in side by side.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD_DIR = join(REPO_ROOT, 'frontend', 'build');
const ARTIFACTS = join(REPO_ROOT, 'artifacts', 'frontend-e2e');

/** Throws unless `path` exists: builds are a precondition, not a reason to skip. */
export function requireBuilt(path: string): void {
  if (!existsSync(path)) {
    const relative = path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length + 1) : path;
    throw new Error(`${relative} missing: run pnpm build (from the repo root)`);
  }
}

type Viewport = { width: number; height: number };

export interface Browser {
  /** The first context, opened by `launch`. */
  context: BrowserContext;
  /** Another isolated context (no shared cookies). */
  newContext(): Promise<BrowserContext>;
  version(): string;
  close(): Promise<void>;
}

export async function launch(viewport: Viewport = { width: 1600, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  requireBuilt(join(BUILD_DIR, 'index.html'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const newContext = () => browser.newContext({ viewport, deviceScaleFactor: 1 });
  return {
    context: await newContext(),
    newContext,
    version: () => browser.version(),
    close: () => browser.close(),
  };
}

export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * A screenshot for the README: always into artifacts/frontend-e2e/<name>.png; with
 * LIVE_CALLS_DOCS_SCREENSHOTS=1 also into docs/screenshot-<name>.png (so an ordinary test
 * run never rewrites the committed images).
 */
export async function docsScreenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ path: await artifactPath(`${name}.png`) });
  if (process.env.LIVE_CALLS_DOCS_SCREENSHOTS === '1') {
    await writeFile(join(REPO_ROOT, 'docs', `screenshot-${name}.png`), image);
  }
}
