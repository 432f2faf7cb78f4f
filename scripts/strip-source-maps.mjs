// `npm pack` (prepack), after the build: the package ships no source maps. tsc's maps point at
// ts/*.ts, which the package does not hold, and the .js they map is readable as it is; a bundle's
// map is four times the bundle. This deletes dist/ts and dist/bundles' .map files and the
// `//# sourceMappingURL=` line of every .js that named one, so no tool looks for a missing map.
// package.json "files" leaves out .map files as well. The next `npm run build` writes them again.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MAP_COMMENT = /\n\/\/# sourceMappingURL=[^\n]*\.map\s*$/;
let maps = 0;
let comments = 0;
for (const dir of ["dist/ts", "dist/bundles"]) {
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (entry.name.endsWith(".map")) {
      rmSync(path);
      maps++;
    } else if (/\.m?js$/.test(entry.name)) {
      const text = readFileSync(path, "utf8");
      const stripped = text.replace(MAP_COMMENT, "\n");
      if (stripped !== text) {
        writeFileSync(path, stripped);
        comments++;
      }
    }
  }
}
console.log(`source maps: ${maps} .map files and ${comments} sourceMappingURL comments removed from dist/ts and dist/bundles`);
