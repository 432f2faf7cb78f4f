import type { InteractionsBuilder } from "../interactions.js";
import { requireId, requireNumber, requireRating } from "./fields.js";

/**
 * A MovieLens rating row (user, item, rating, timestamp), validated field by field and added
 * to the builder, or counted as below `minRating`. Shared by the .csv and .dat readers, which
 * differ only in how a line splits into fields and in the names of the id columns.
 */
export function addRatingRow(
  builder: InteractionsBuilder,
  fields: readonly string[],
  file: string,
  line: number,
  idFields: { user: string; item: string },
  minRating: number | undefined,
): void {
  const user = requireId(fields[0]!, { file, line, field: idFields.user }, "a user id");
  const item = requireId(fields[1]!, { file, line, field: idFields.item }, idFields.item === "movieId" ? "a movie id" : "an item id");
  const rating = requireRating(fields[2]!, { file, line, field: "rating" }, minRating);
  const timestamp = requireNumber(fields[3]!, { file, line, field: "timestamp" });
  if (minRating !== undefined && rating < minRating) {
    builder.noteBelowMinRating();
    return;
  }
  builder.add(user, item, rating, timestamp, line);
}
