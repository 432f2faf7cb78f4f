/** Wall statistics on hand-made walls, and a wall built from a hand-built model (history left out). */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { buildWall, wallStatistics } from "../ts/eval/wall.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadWasmInstance } from "../ts/node.js";

let kernels: Kernels;
before(async () => {
  kernels = new Kernels(await loadWasmInstance());
});

const WW2_WATCHLIST = [{ genres: ["Action", "Drama", "War"] }, { genres: ["Drama", "War"] }, { genres: ["War"] }];

describe("wall statistics", () => {
  it("median popularity, on-genre share and dominant-genre share by hand", () => {
    const picks = [
      { popularity: 500, genres: ["Drama", "Romance"] }, // on-genre (Drama), not War
      { popularity: 40, genres: ["War"] }, // both
      { popularity: 7, genres: ["Comedy"] }, // neither
      { popularity: 1000, genres: ["Action", "War"] }, // both
      { popularity: 12, genres: [] }, // neither
    ];
    // popularity sorted 7, 12, 40, 500, 1000 → 40; on-genre 3 of 5; War (all three watchlist movies) 2 of 5.
    assert.deepEqual(wallStatistics(picks, WW2_WATCHLIST), {
      picks: 5,
      medianPopularity: 40,
      onGenreShare: 0.6,
      dominantGenres: ["War"],
      dominantGenreShare: 0.4,
    });
    // An even number of picks: the mean of the two middle ones.
    assert.equal(wallStatistics(picks.slice(0, 4), WW2_WATCHLIST).medianPopularity, (40 + 500) / 2);
  });

  it("ties for the dominant genre keep every tied genre; empty walls and genre-less watchlists give zeros", () => {
    const s = wallStatistics(
      [
        { popularity: 3, genres: ["Sci-Fi"] },
        { popularity: 5, genres: ["Drama"] },
      ],
      [{ genres: ["Drama", "Sci-Fi"] }, { genres: ["Sci-Fi", "Drama", "Thriller"] }],
    );
    assert.deepEqual(s.dominantGenres, ["Drama", "Sci-Fi"]);
    assert.equal(s.dominantGenreShare, 1);
    assert.deepEqual(wallStatistics([], WW2_WATCHLIST), { picks: 0, medianPopularity: 0, onGenreShare: 0, dominantGenres: ["War"], dominantGenreShare: 0 });
    assert.deepEqual(wallStatistics([{ popularity: 1, genres: ["War"] }], [{ genres: [] }]), {
      picks: 1,
      medianPopularity: 1,
      onGenreShare: 0,
      dominantGenres: [],
      dominantGenreShare: 0,
    });
  });

  it("buildWall ranks by fold-in, leaves the watchlist out and describes the picks", () => {
    // d = 1: items with factor > 0 point the watchlist's way; the watchlist item 0 scores highest of all.
    const model = MatrixFactorization.fromModelFile(kernels, {
      kind: "mf",
      config: { loss: "bpr", dim: 1 },
      shapes: { nUsers: 1, nItems: 5, dim: 1 },
      userIds: ["u"],
      itemIds: ["a", "b", "c", "d", "e"],
      tables: {
        userFactors: { rows: 1, cols: 1, data: Float32Array.from([1]) },
        itemFactors: { rows: 5, cols: 1, data: Float32Array.from([3, 2, -1, 1, 0.5]) },
        itemCounts: { rows: 1, cols: 5, data: Int32Array.from([10, 20, 30, 40, 50]) },
        seenIndptr: { rows: 1, cols: 2, data: Int32Array.from([0, 0]) },
        seenIndices: { rows: 1, cols: 0, data: new Int32Array(0) },
      },
    });
    const movies = new Map([
      ["b", { title: "B (2001)", genres: ["War"] }],
      ["d", { title: "D (2002)", genres: ["Comedy"] }],
    ]);
    const wall = buildWall(model, [{ index: 0, genres: ["War"] }], 3, { info: (id) => movies.get(id) });
    assert.deepEqual(
      wall.picks.map((p) => [p.rank, p.item, p.title, p.popularity]),
      [
        [1, "b", "B (2001)", 20],
        [2, "d", "D (2002)", 40],
        [3, "e", undefined, 50],
      ],
    );
    assert.deepEqual(wall.statistics, { picks: 3, medianPopularity: 40, onGenreShare: 1 / 3, dominantGenres: ["War"], dominantGenreShare: 1 / 3 });
    model.dispose();
  });
});
