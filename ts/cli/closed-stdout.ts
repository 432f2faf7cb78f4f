/**
 * A reader that stops early (`longtail compare | head -3`) closes the pipe; the next write then
 * fails with EPIPE. Like other Unix tools, the program ends there, quietly: the reader has all it
 * asked for, so this is not an error (exit status 0) and there is nothing to report.
 */
let installed = false;

export function endQuietlyOnClosedStdout(): void {
  if (installed) return;
  installed = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}
