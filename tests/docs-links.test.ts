/**
 * The links of the README and docs/*.md lead somewhere: every relative link or image names a file
 * of the repository, every #anchor a heading of its page (GitHub's heading ids), and the README
 * links every page under docs/.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, it } from "node:test";
import { docFiles, prose, readDoc, REPO_ROOT } from "./support/docs.js";

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens. */
function headingId(heading: string): string {
  const text = heading.replace(/`/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The heading ids of a markdown file (repeated headings get -1, -2, ... as on GitHub). */
function headingIds(file: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(readDoc(file)).split("\n")) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = headingId(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

interface Link {
  readonly where: string;
  readonly target: string;
}

function links(file: string): Link[] {
  const text = prose(readDoc(file));
  const out: Link[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    out.push({ where: `${file}:${text.slice(0, m.index).split("\n").length}`, target: m[1]! });
  }
  return out;
}

describe("links in the README and docs", () => {
  it("every relative link names an existing file, and every anchor a heading of its page", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of docFiles()) {
      for (const { where, target } of links(file)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
        checked++;
        const [path, anchor] = target.split("#", 2) as [string, string | undefined];
        const resolved = path === "" ? file : normalize(join(dirname(file), decodeURIComponent(path)));
        if (resolved.startsWith("..") || !existsSync(join(REPO_ROOT, resolved))) {
          broken.push(`${where}: ${target} (no file ${resolved})`);
          continue;
        }
        if (anchor !== undefined && resolved.endsWith(".md") && !headingIds(resolved).has(anchor)) {
          broken.push(`${where}: ${target} (${resolved} has no heading with the id "${anchor}")`);
        }
      }
    }
    assert.ok(checked >= 50, `${checked} links checked`);
    assert.deepEqual(broken, [], "broken links");
  });

  it("the README links every page under docs/", () => {
    const linked = new Set(links("README.md").map((l) => normalize(l.target.split("#")[0]!)));
    const pages = docFiles().filter((f) => f !== "README.md");
    assert.deepEqual(
      pages.filter((p) => !linked.has(p)),
      [],
      "pages the README does not link",
    );
  });

  it("heading ids follow GitHub's rules", () => {
    assert.equal(headingId("Comparing configurations: `compare` and `sweep`"), "comparing-configurations-compare-and-sweep");
    assert.equal(
      headingId("b. Gradient perspective on item-balanced splits (Ren et al.: 60/10/30, equal probability per item)"),
      "b-gradient-perspective-on-item-balanced-splits-ren-et-al-601030-equal-probability-per-item",
    );
    assert.equal(headingId("The main job: `npx longtail demo`"), "the-main-job-npx-longtail-demo");
  });
});
