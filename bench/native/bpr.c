/*
 * The native yardstick for BPR training: plain per-example SGD over (user, positive, uniform
 * negative) triples, the negative rejected against the user's sorted row, d floats per row, one
 * thread. The same shape as longtail's BPR with --negatives 1 --hard-negatives 1 --optimizer sgd
 * --batch 1, written the way a person writes it in C. Reads a file of lines "user item item ...".
 *
 *   cc -O3 -march=native -o bpr bench/native/bpr.c -lm
 *   ./bpr <train.txt> [dim=64] [epochs=3] [seed=42]
 * Prints one JSON line per epoch: {"epoch":e,"triples":n,"seconds":s,"triplesPerSecond":r,"loss":l}.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t s[4];
static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static inline uint32_t next_u32(void) {
  uint32_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11);
  return r;
}
static inline int below(int n) { return (int)(((uint64_t)next_u32() * (uint64_t)n) >> 32); }
static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static inline int contains(const int *row, int n, int x) {
  int lo = 0, hi = n - 1;
  while (lo <= hi) { int mid = (lo + hi) >> 1; if (row[mid] == x) return 1; if (row[mid] < x) lo = mid + 1; else hi = mid - 1; }
  return 0;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: bpr <train.txt> [dim] [epochs] [seed]\n"); return 2; }
  int d = argc > 2 ? atoi(argv[2]) : 64, epochs = argc > 3 ? atoi(argv[3]) : 3;
  uint32_t seed = argc > 4 ? (uint32_t)atoi(argv[4]) : 42;
  FILE *f = fopen(argv[1], "r");
  if (!f) { perror(argv[1]); return 1; }
  int cap = 1 << 20, nnz = 0, users = 0, items = 0, *uOf = malloc(cap * sizeof(int)), *iOf = malloc(cap * sizeof(int));
  char line[1 << 16];
  while (fgets(line, sizeof line, f)) {
    char *p = line, *end;
    long u = strtol(p, &end, 10);
    if (end == p) continue;
    for (p = end;; p = end) {
      long i = strtol(p, &end, 10);
      if (end == p) break;
      if (nnz == cap) { cap *= 2; uOf = realloc(uOf, cap * sizeof(int)); iOf = realloc(iOf, cap * sizeof(int)); }
      uOf[nnz] = (int)u; iOf[nnz] = (int)i; nnz++;
      if (i + 1 > items) items = (int)i + 1;
    }
    if (u + 1 > users) users = (int)u + 1;
  }
  fclose(f);
  /* CSR by user, each row sorted, for the rejection test. */
  int *indptr = calloc(users + 1, sizeof(int)), *sorted = malloc(nnz * sizeof(int)), *fill = calloc(users, sizeof(int));
  for (int k = 0; k < nnz; k++) indptr[uOf[k] + 1]++;
  for (int u = 0; u < users; u++) indptr[u + 1] += indptr[u];
  for (int k = 0; k < nnz; k++) sorted[indptr[uOf[k]] + fill[uOf[k]]++] = iOf[k];
  for (int u = 0; u < users; u++) qsort(sorted + indptr[u], indptr[u + 1] - indptr[u], sizeof(int), cmp_int);
  s[0] = seed * 2654435761u + 1; s[1] = 0x9e3779b9; s[2] = 0x85ebca6b; s[3] = 0xc2b2ae35;
  float *P = malloc((size_t)users * d * sizeof(float)), *Q = malloc((size_t)items * d * sizeof(float));
  for (size_t k = 0; k < (size_t)users * d; k++) P[k] = 0.1f * ((float)next_u32() / 4294967296.0f - 0.5f);
  for (size_t k = 0; k < (size_t)items * d; k++) Q[k] = 0.1f * ((float)next_u32() / 4294967296.0f - 0.5f);
  int *order = malloc(nnz * sizeof(int));
  for (int k = 0; k < nnz; k++) order[k] = k;
  const float lr = 0.05f, l2 = 1e-4f;
  for (int e = 1; e <= epochs; e++) {
    for (int k = nnz - 1; k > 0; k--) { int j = below(k + 1), t = order[k]; order[k] = order[j]; order[j] = t; }
    double t0 = now(), loss = 0;
    for (int n = 0; n < nnz; n++) {
      int k = order[n], u = uOf[k], i = iOf[k], j = below(items);
      for (int tries = 0; tries < 32 && contains(sorted + indptr[u], indptr[u + 1] - indptr[u], j); tries++) j = below(items);
      float *pu = P + (size_t)u * d, *qi = Q + (size_t)i * d, *qj = Q + (size_t)j * d, x = 0;
      for (int c = 0; c < d; c++) x += pu[c] * (qi[c] - qj[c]);
      float g = 1.0f / (1.0f + expf(x)); /* σ(−x) */
      loss += log1pf(expf(-x));
      for (int c = 0; c < d; c++) {
        float pc = pu[c], ic = qi[c], jc = qj[c];
        pu[c] += lr * (g * (ic - jc) - l2 * pc);
        qi[c] += lr * (g * pc - l2 * ic);
        qj[c] += lr * (-g * pc - l2 * jc);
      }
    }
    double sec = now() - t0;
    printf("{\"epoch\":%d,\"triples\":%d,\"seconds\":%.4f,\"triplesPerSecond\":%.0f,\"loss\":%.5f}\n", e, nnz, sec, nnz / sec, loss / nnz);
  }
  return 0;
}
