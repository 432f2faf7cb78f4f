#!/usr/bin/env node
let cli;
try {
  cli = await import("../dist/ts/cli/main.js");
} catch (error) {
  // A checkout of the repository before its first build (the published package always has dist/).
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !/[\\/]dist[\\/]ts[\\/]cli[\\/]main\.js'/.test(String(error.message))) throw error;
  console.error("longtail: dist/ is not built here: run `npm run build` first");
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
