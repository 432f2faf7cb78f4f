/**
 * An export that cannot be written as asked: a limit of the target engine (Vectorize's id length,
 * metadata size or dimensions), a table name SQL cannot take, a model without what the export
 * needs. The message names the row and id (or the option) at fault and what would fit.
 */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}
