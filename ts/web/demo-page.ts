/**
 * The demo page of `longtail serve` (bundled by scripts/bundles.ts into dist/bundles/serve/demo.js).
 * The server only hands out files; here the page fetches the data, the wasm engine in a Web Worker
 * trains one full-softmax model per logit-adjustment α (the honest meaning of α: the training
 * logits are adjusted, so every α is its own model), and every watchlist is answered by fold-in
 * on the model of the α the slider shows. α = 0 and 0.5 train first, so a wall is there early.
 */
import { createEngine, type ModelHandle, type RecommenderEngine } from "../browser.js";
import { readMovieLensMovies, type MovieInfo } from "../data/readers/movielens-csv.js";
import { nameKey } from "../data/titles/title-key.js";
import { wallStatistics, type WallStatistics } from "../eval/wall.js";
import { demoPageModelConfig, type DemoPageConfig } from "../demo/page-config.js";

interface Pick {
  readonly item: string;
  readonly title: string;
  readonly genres: readonly string[];
  readonly popularity: number;
}

/** Watched by the browser test and useful in the console: what is trained, how long it took, what the wall shows. */
interface DemoState {
  trained: number[];
  trainSeconds: Record<string, number>;
  readSeconds: number;
  wall: { alpha: number; watchlist: string[]; picks: Pick[]; statistics: WallStatistics } | null;
  error: string | null;
}

const SEARCH_RESULTS = 8;
const state: DemoState = { trained: [], trainSeconds: {}, readSeconds: 0, wall: null, error: null };
(globalThis as unknown as { longtailDemo: DemoState }).longtailDemo = state;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

function showError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  state.error = message;
  const box = element("error");
  box.hidden = false;
  box.textContent = `Something went wrong: ${message}`;
}

function fail(e: unknown): void {
  showError(e);
  console.error(e);
}

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response;
}

async function* bytesOf(response: Response): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(await response.arrayBuffer());
}

function alphaLabel(alpha: number): string {
  return `α = ${alpha}`;
}

function formatShare(x: number): string {
  return x.toFixed(2);
}

function formatSeconds(s: number): string {
  return s < 10 ? s.toFixed(2) : s.toFixed(1);
}

const STATISTICS = [
  { id: "median", show: (s: WallStatistics) => `${s.medianPopularity}` },
  { id: "on-genre", show: (s: WallStatistics) => formatShare(s.onGenreShare) },
  { id: "dominant", show: (s: WallStatistics) => formatShare(s.dominantGenreShare) },
] as const;

class DemoPage {
  private readonly models = new Map<number, ModelHandle>();
  private readonly watchlist: string[] = [];
  private popularity = new Map<string, number>();
  private maxPopularity = 1;
  private searchable: { id: string; key: string; info: MovieInfo; count: number }[] = [];
  private alpha = 0;
  private training: number | null = null;
  /** Answers arrive out of order when the slider moves fast: only the newest request draws. */
  private wallRequest = 0;

  constructor(
    private readonly engine: RecommenderEngine,
    private readonly config: DemoPageConfig,
    private readonly movies: Map<string, MovieInfo>,
  ) {}

  async run(ratings: Uint8Array): Promise<void> {
    const read = performance.now();
    this.progress(0, "reading the ratings in the worker…");
    const { train } = await this.engine.readInteractions(ratings, { fileName: "ratings.csv" });
    state.readSeconds = (performance.now() - read) / 1000;
    element("dataset").textContent =
      `${this.config.data}: ${train.nUsers.toLocaleString("en-US")} users, ${train.nItems.toLocaleString("en-US")} movies, ` +
      `${train.nnz.toLocaleString("en-US")} interactions · engine ${this.engine.mode} (${this.engine.variant}, ${this.engine.threads.count} thread${this.engine.threads.count === 1 ? "" : "s"})`;
    this.drawModels();
    for (const alpha of this.config.alphas) {
      this.training = alpha;
      this.drawModels();
      const started = performance.now();
      const model = await this.engine.train(train, demoPageModelConfig(this.config, alpha), {
        progressIntervalMs: 100,
        onProgress: (p) => {
          const within = p.phase === "batch" ? p.done / Math.max(1, p.total) : 1;
          this.progress(
            (this.models.size + (p.epoch - 1 + within) / this.config.epochs) / this.config.alphas.length,
            `training ${alphaLabel(alpha)}: epoch ${p.epoch}/${this.config.epochs}`,
          );
        },
      });
      state.trainSeconds[String(alpha)] = (performance.now() - started) / 1000;
      this.models.set(alpha, model);
      state.trained.push(alpha);
      if (this.models.size === 1) await this.enable(model);
      this.training = null;
      this.drawModels();
      if (alpha === this.alpha) await this.drawWall();
    }
    const times = this.config.alphas.map((a) => `${alphaLabel(a)} ${formatSeconds(state.trainSeconds[String(a)]!)} s`).join(", ");
    this.progress(1, `all ${this.config.alphas.length} models trained in this tab (${this.config.epochs} epochs, d = ${this.config.dim}): ${times}`);
  }

  /** The first model gives the popularity of every movie: from now on, search and pick. */
  private async enable(model: ModelHandle): Promise<void> {
    const { items, counts } = await this.engine.itemPopularity(model);
    this.popularity = new Map(items.map((id, i) => [id, counts[i]!]));
    this.maxPopularity = Math.max(1, ...counts);
    this.searchable = items
      .map((id, i) => ({ id, info: this.movies.get(id), count: counts[i]! }))
      .filter((m): m is { id: string; info: MovieInfo; count: number } => m.info !== undefined && m.count > 0)
      .map((m) => ({ ...m, key: nameKey(m.info.title) }))
      .sort((a, b) => b.count - a.count);
    const search = element<HTMLInputElement>("search");
    search.disabled = false;
    search.addEventListener("input", () => this.drawResults(search.value));
    search.focus();
    const slider = element<HTMLInputElement>("alpha");
    slider.disabled = false;
    slider.addEventListener("input", () => {
      this.alpha = Number(slider.value);
      element("alpha-value").textContent = alphaLabel(this.alpha);
      this.redraw();
    });
  }

  private progress(share: number, text: string): void {
    element("progress-bar").style.width = `${Math.round(Math.min(1, share) * 100)}%`;
    element("progress-text").textContent = text;
  }

  private drawModels(): void {
    const list = element("models");
    list.replaceChildren(
      ...this.config.alphas
        .slice()
        .sort((a, b) => a - b)
        .map((alpha) => {
          const trained = this.models.has(alpha);
          const seconds = state.trainSeconds[String(alpha)];
          const li = make("li", trained ? "trained" : alpha === this.training ? "training" : "", `${alpha}`);
          li.style.left = `${alpha * 100}%`;
          li.append(make("br", ""), make("span", "", trained ? `${formatSeconds(seconds!)} s` : alpha === this.training ? "training" : "waiting"));
          return li;
        }),
    );
    element("alpha-ticks").replaceChildren(...this.config.alphas.map((a) => Object.assign(document.createElement("option"), { value: String(a) })));
  }

  private drawResults(query: string): void {
    const key = nameKey(query);
    const list = element("results");
    if (key === "") {
      list.replaceChildren();
      return;
    }
    const found = this.searchable.filter((m) => m.key.includes(key) && !this.watchlist.includes(m.id)).slice(0, SEARCH_RESULTS);
    list.replaceChildren(
      ...found.map((m) => {
        const button = make("button", "");
        button.type = "button";
        button.append(
          make("span", "count", `${m.count}`),
          make("span", "title", m.info.title),
          make("br", ""),
          make("span", "genres", m.info.genres.join(", ")),
        );
        button.addEventListener("click", () => {
          this.watchlist.push(m.id);
          const search = element<HTMLInputElement>("search");
          search.value = "";
          list.replaceChildren();
          search.focus();
          this.drawWatchlist();
          this.redraw();
        });
        const li = make("li", "");
        li.append(button);
        return li;
      }),
    );
  }

  private drawWatchlist(): void {
    element("watchlist-empty").hidden = this.watchlist.length > 0;
    element("watchlist").replaceChildren(
      ...this.watchlist.map((id) => {
        const info = this.movies.get(id)!;
        const li = make("li", "", info.title);
        li.title = info.genres.join(", ");
        const remove = make("button", "", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", `remove ${info.title}`);
        remove.addEventListener("click", () => {
          this.watchlist.splice(this.watchlist.indexOf(id), 1);
          this.drawWatchlist();
          this.redraw();
        });
        li.append(remove);
        return li;
      }),
    );
  }

  /** Draw the wall without waiting; a failure shows on the page. */
  private redraw(): void {
    this.drawWall().catch(fail);
  }

  /** The model's top-k for the watchlist, each pick with its title, genres and popularity. */
  private async picks(model: ModelHandle, watchlist: readonly string[]): Promise<Pick[]> {
    const rec = await this.engine.recommendForHistory(model, watchlist, this.config.k);
    return rec.items.map((item) => {
      const info = this.movies.get(item);
      return { item, title: info?.title ?? item, genres: info?.genres ?? [], popularity: this.popularity.get(item) ?? 0 };
    });
  }

  private async drawWall(): Promise<void> {
    const request = ++this.wallRequest;
    const wall = element("wall");
    const note = element("wall-note");
    element("wall-title").textContent = `Top-${this.config.k} wall for ${alphaLabel(this.alpha)}`;
    if (this.watchlist.length === 0) {
      state.wall = null;
      wall.replaceChildren();
      note.textContent = "Pick a movie or two to see the wall.";
      for (const { id } of STATISTICS) {
        element(`stat-${id}`).textContent = "–";
        element(`base-${id}`).textContent = "";
      }
      return;
    }
    const model = this.models.get(this.alpha);
    if (!model) {
      wall.classList.add("stale");
      note.textContent = `${alphaLabel(this.alpha)} is still training; its wall appears as soon as it is ready.`;
      return;
    }
    const alpha = this.alpha;
    const watchlist = [...this.watchlist];
    const genres = watchlist.map((id) => ({ genres: this.movies.get(id)?.genres ?? [] }));
    const picks = await this.picks(model, watchlist);
    // The α = 0 wall's statistics beside the current ones, so a move of the slider reads as a change.
    const plain = this.models.get(0);
    const baseline = alpha !== 0 && plain ? wallStatistics(await this.picks(plain, watchlist), genres) : null;
    if (request !== this.wallRequest) return;
    const statistics = wallStatistics(picks, genres);
    state.wall = { alpha, watchlist, picks, statistics };
    wall.classList.remove("stale");
    note.textContent = `dominant genre${statistics.dominantGenres.length === 1 ? "" : "s"} of the watchlist: ${statistics.dominantGenres.join(", ") || "none"}`;
    for (const { id, show } of STATISTICS) {
      element(`stat-${id}`).textContent = show(statistics);
      element(`base-${id}`).textContent = baseline ? `α = 0: ${show(baseline)}` : "";
    }
    const logMax = Math.log1p(this.maxPopularity);
    wall.replaceChildren(
      ...picks.map((p, r) => {
        const li = make("li", "");
        const text = make("div", "");
        text.append(make("span", "title", p.title), make("br", ""), make("span", "genres", p.genres.join(", ")));
        const pop = make("div", "pop", `${p.popularity} interactions`);
        const bar = make("div", "bar");
        bar.style.width = `${Math.max(2, Math.round((100 * Math.log1p(p.popularity)) / logMax))}%`;
        pop.append(bar);
        li.append(make("span", "rank", `${r + 1}`), text, pop);
        return li;
      }),
    );
  }
}

async function start(): Promise<void> {
  const config = (await (await fetchOk("demo.json")).json()) as DemoPageConfig;
  const [moviesResponse, ratingsResponse, engine] = await Promise.all([fetchOk("data/movies.csv"), fetchOk("data/ratings.csv"), createEngine()]);
  const movies = await readMovieLensMovies(bytesOf(moviesResponse), { name: "movies.csv" });
  const page = new DemoPage(engine, config, movies);
  await page.run(new Uint8Array(await ratingsResponse.arrayBuffer()));
}

start().catch(fail);
