/** "Stalingrad (1993)" or the item id when the movies file does not list it. */
export function movieLabel(movie: { item: string; title?: string }): string {
  return movie.title ?? `item ${movie.item}`;
}
