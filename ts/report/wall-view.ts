/**
 * A persona's walls side by side (the logit-adjustment blog's picture): each model's top-K for the
 * same person, each pick with its popularity (a bar on a log scale, and the count), its genres and,
 * where ground truth exists, whether the person truly likes it; the wall's statistics below.
 */
import type { PersonaWalls, ReportPick, WallSide } from "./report-data.js";
import { escapeHtml } from "./escape.js";

/** One persona's walls as an HTML <section>; `maxPopularity` scales every popularity bar of the report alike. */
export function wallView(walls: PersonaWalls, maxPopularity: number): string {
  const notes = (walls.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("");
  return (
    `<section class="persona"><h3>${escapeHtml(walls.persona)}</h3><p class="persona-about">${escapeHtml(walls.description)}</p>${notes}` +
    `<div class="walls">${walls.sides.map((s) => sideView(s, maxPopularity)).join("")}</div></section>`
  );
}

function sideView(side: WallSide, maxPopularity: number): string {
  const s = side.statistics;
  const fits = side.picks.filter((p) => p.fits !== undefined);
  const fitShare = fits.length > 0 ? `; truly fits ${fits.filter((p) => p.fits).length} of ${fits.length}` : "";
  const dominant = s.dominantGenres.length > 0 ? ` (${s.dominantGenres.join(", ")})` : "";
  const picks = side.picks.length === 0 ? `<li class="empty">no picks</li>` : side.picks.map((p) => pickView(p, maxPopularity)).join("");
  return (
    `<div class="wall"><h4>${escapeHtml(side.label)}</h4><ol class="picks">${picks}</ol>` +
    `<p class="wall-stats">${escapeHtml(`median popularity ${s.medianPopularity}; dominant-genre share${dominant} ${s.dominantGenreShare.toFixed(2)}; on-genre share ${s.onGenreShare.toFixed(2)}${fitShare}`)}</p></div>`
  );
}

function pickView(p: ReportPick, maxPopularity: number): string {
  const mark =
    p.fits === undefined
      ? ""
      : p.fits
        ? `<span class="fits" title="the person truly likes this">✓</span>`
        : `<span class="misfit" title="the person does not truly like this">✗</span>`;
  // A log scale: popularity spans four orders of magnitude, and a linear bar would hide the tail.
  const width = maxPopularity > 0 ? (100 * Math.log1p(Math.max(0, p.popularity))) / Math.log1p(maxPopularity) : 0;
  return (
    `<li><span class="pick-title">${escapeHtml(p.title)}</span>${mark}` +
    `<span class="pick-meta"><span class="popularity" title="${escapeHtml(`${p.popularity} training interactions`)}"><span class="popularity-bar" style="width:${width.toFixed(1)}%"></span></span>` +
    `<span class="count">${escapeHtml(p.popularity.toLocaleString("en-US"))}</span> <span class="genres">${escapeHtml(p.genres.join(", "))}</span></span></li>`
  );
}
