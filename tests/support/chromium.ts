/**
 * Finding Chromium for the browser tests. Without it they skip loudly, unless browsers are
 * required (CI, or LONGTAIL_REQUIRE_BROWSERS=1, which .ci/run sets): then they fail and say how
 * to install it.
 */
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";

export const REQUIRE_BROWSERS_ENV = "LONGTAIL_REQUIRE_BROWSERS";
export const CHROMIUM_PATH_ENV = "CHROMIUM_PATH";
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The flags the browser tests run Chromium with (headless on a machine without a GPU or a sandbox). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

function truthy(value: string | undefined): boolean {
  return value !== undefined && !["", "0", "false", "no", "off"].includes(value.trim().toLowerCase());
}

export function browsersRequired(): boolean {
  return truthy(process.env[REQUIRE_BROWSERS_ENV]) || truthy(process.env.CI);
}

/** Chromium's path ($CHROMIUM_PATH, else the usual Debian/Ubuntu places), or null. */
export function findChromium(): string | null {
  const configured = process.env[CHROMIUM_PATH_ENV];
  if (configured) {
    if (!existsSync(configured)) throw new Error(`${CHROMIUM_PATH_ENV}=${configured}: no such file`);
    return configured;
  }
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** Chromium's path, or null after skipping the test (loudly) where browsers are optional; throws where they are required. */
export function chromiumOrSkip(t: TestContext): string | null {
  const found = findChromium();
  if (found) return found;
  const how = `install it (Debian/Ubuntu: apt-get install -y chromium) or set ${CHROMIUM_PATH_ENV}`;
  if (browsersRequired()) throw new Error(`Chromium is required (${REQUIRE_BROWSERS_ENV} or CI is set) but none was found at ${CANDIDATES.join(", ")}: ${how}`);
  const message = `SKIPPED: no Chromium at ${CANDIDATES.join(", ")}; the browser and extension tests did not run. To run them, ${how}; ${REQUIRE_BROWSERS_ENV}=1 turns this skip into a failure.`;
  console.warn(`\n*** ${message} ***\n`);
  t.skip(message);
  return null;
}
