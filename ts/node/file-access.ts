/**
 * Node-only: a file that cannot be opened or read, said in one line a user can act on. The
 * system's errors (ENOENT, EISDIR, ELOOP, EACCES, ...) carry the cause but read like a crash;
 * every path a user gives (--data, --model, --test, --history files) goes through here.
 */

/** A path a user gave that cannot be read: the message names the path and what to do. */
export class FileAccessError extends Error {
  readonly path: string;
  /** The system error code (ENOENT, EISDIR, ELOOP, EACCES, ...), when there was one. */
  readonly code: string | undefined;

  constructor(path: string, message: string, options?: { cause?: unknown; code?: string }) {
    super(`${path}: ${message}`, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "FileAccessError";
    this.path = path;
    this.code = options?.code;
  }
}

/** Whether `e` is one of Node's system errors (it has an errno code and names a syscall). */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && typeof (e as NodeJS.ErrnoException).syscall === "string";
}

/**
 * Turns a system error met while opening or reading `path` into a {@link FileAccessError};
 * `what` names the file's role ("model file", "data file"), `missingHint` says how to get one.
 * Errors that are not system errors are returned unchanged.
 */
export function fileAccessError(path: string, what: string, e: unknown, missingHint = ""): unknown {
  if (e instanceof FileAccessError || !isSystemError(e)) return e;
  return new FileAccessError(path, explainCode(e.code, what, e.message) + (e.code === "ENOENT" ? missingHint : ""), { cause: e, code: e.code });
}

/** The reason behind a system error code, for a file of the given role. */
export function explainCode(code: string, what: string, fallback: string): string {
  switch (code) {
    case "ENOENT":
      return `no such ${what}`;
    case "ENOTDIR":
      return `no such ${what} (a part of the path is a file, not a folder)`;
    case "EISDIR":
      return `is a folder, not a ${what}`;
    case "ELOOP":
      return `too many levels of symbolic links (a link that points back to itself?)`;
    case "EACCES":
    case "EPERM":
      return `permission denied: cannot read this ${what}`;
    case "ENAMETOOLONG":
      return `the path is too long`;
    case "EMFILE":
    case "ENFILE":
      return `too many open files to open this ${what}; raise the limit (ulimit -n)`;
    case "EIO":
      return `an input/output error while reading this ${what} (a failing disk or network share?)`;
    default:
      return `cannot read this ${what} (${fallback})`;
  }
}
