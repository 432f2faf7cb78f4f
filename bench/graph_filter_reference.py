"""The graph filter in numpy/scipy on a train.txt/test.txt folder (the LightGCN layout): the reference
for longtail's GraphFilter (ts/graph-filter/), for its accuracy and as the native side of its timing.

Usage: python3 bench/graph_filter_reference.py <folder> <rank> <alpha> <beta> [exact|iterations]

Scores every test user u as GraphFilter does: s = r·P̃ + alpha·r·D_I^{-1/2}·V̄V̄ᵀ·D_I^{1/2}, then
s ← s − beta·s·P̃, with R̃ = D_U^{-1/2} R D_I^{-1/2}, P̃ = R̃ᵀR̃ and V̄ the rank leading right singular
vectors of R̃: "exact" takes them from scipy's svds (ARPACK; GF-CF's own code does the same), a
number q runs q randomised subspace iterations from a Gaussian block of rank + 32 columns (seed 1;
not the same random numbers as longtail's), as GraphFilter does. Prints Recall@20 and NDCG@20 over
the test users (full ranking, training items excluded) and the seconds to fit (the vectors) and to
score and rank every test user (scipy's sparse products run on one thread; numpy's GEMMs on all).
"""
import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from ials_reference import read_lines


def main():
    folder, rank, alpha, beta = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    mode = sys.argv[5] if len(sys.argv) > 5 else "exact"
    train, test = read_lines(f"{folder}/train.txt"), read_lines(f"{folder}/test.txt")
    n_users = max(train[0].max(), test[0].max()) + 1
    n_items = max(train[1].max(), test[1].max()) + 1
    r = sp.csr_matrix((np.ones(len(train[0]), dtype=np.float32), train), shape=(n_users, n_items))
    r.data[:] = 1
    t = sp.csr_matrix((np.ones(len(test[0]), dtype=np.float32), test), shape=(n_users, n_items))
    du = np.asarray(r.sum(1)).ravel()
    di = np.asarray(r.sum(0)).ravel()
    pu = np.where(du > 0, du ** -0.5, 0).astype(np.float32)
    pi = np.where(di > 0, di ** -0.5, 0).astype(np.float32)
    rn = (sp.diags(pu) @ r @ sp.diags(pi)).tocsr()
    rnt = rn.T.tocsr()

    started = time.time()
    if mode == "exact":
        _, _, vt = sla.svds(rn.astype(np.float64), k=rank)
        v = vt.T.astype(np.float32)
    else:
        width = rank + 32
        q = np.random.default_rng(1).standard_normal((n_items, width)).astype(np.float32)

        def orthonormal(q):
            for _ in range(2):
                chol = np.linalg.cholesky((q.T @ q).astype(np.float64))
                q = np.linalg.solve(chol, q.T.astype(np.float64)).T.astype(np.float32)
            return q

        q = orthonormal(q)
        for _ in range(int(mode)):
            q = orthonormal(np.asarray(rnt @ (rn @ q)))
        y = np.asarray(rn @ q)
        w, vecs = np.linalg.eigh((y.T @ y).astype(np.float64))
        v = (q @ vecs[:, np.argsort(-w)[:rank]]).astype(np.float32)
    fit_seconds = time.time() - started

    started = time.time()
    test_users = np.where(np.diff(t.indptr) > 0)[0]
    recall = ndcg = 0.0
    discounts = 1 / np.log2(np.arange(2, 22))
    for b0 in range(0, len(test_users), 1024):
        users = test_users[b0 : b0 + 1024]
        x = r[users].toarray()
        s = np.asarray(rnt @ (rn @ x.T)).T
        s += alpha * (((x * pi[None, :]) @ v) @ v.T) / np.where(pi > 0, pi, 1)[None, :]
        if beta != 0:
            s -= beta * np.asarray(rnt @ (rn @ s.T)).T
        s[x > 0] = -np.inf
        top = np.argpartition(-s, 20, axis=1)[:, :20]
        for row, u in enumerate(users):
            order = top[row][np.argsort(-s[row, top[row]])]
            truth = t.indices[t.indptr[u] : t.indptr[u + 1]]
            hits = np.isin(order, truth)
            recall += hits.sum() / len(truth)
            ndcg += (hits * discounts).sum() / discounts[: min(len(truth), 20)].sum()
    score_seconds = time.time() - started
    n = len(test_users)
    print(f"rank {rank} alpha {alpha} beta {beta} {mode}: Recall@20 {recall / n:.4f} NDCG@20 {ndcg / n:.4f} "
          f"fit {fit_seconds:.1f} s, score and rank {n} users {score_seconds:.1f} s")


if __name__ == "__main__":
    main()
