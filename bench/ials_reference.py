"""iALS on a train.txt/test.txt folder (the LightGCN layout), as a reference point for the accuracy table.

Usage: python3 bench/ials_reference.py <folder> <alpha0> <lambda> <nu> <epochs> [dim=64]

Not a longtail model: a numpy measurement of implicit alternating least squares in the
formulation of Rendle et al., "Revisiting the Performance of iALS on Item Recommendation
Benchmarks" (RecSys 2022): every observed pair is fitted to 1, every (user, item) pair to 0 with
weight alpha0 (through the Gramian, never materialised), and each row's L2 penalty is
lambda * (its count + alpha0 * the other side's size)^nu. Each epoch solves all users, then all
items, exactly (one d×d system per row). After every second epoch it prints the epoch, Recall@20
over the test users (full ranking, training items excluded, as `longtail evaluate` ranks) and the
seconds so far. Seed 0; initial rows N(0, 0.1/sqrt(d)).
"""
import sys
import time

import numpy as np
import scipy.sparse as sp


def read_lines(path):
    rows, cols = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            items = [int(x) for x in parts[1:]]
            rows += [int(parts[0])] * len(items)
            cols += items
    return np.array(rows), np.array(cols)


def solve_rows(matrix, other, alpha0, lam, nu, d):
    """Each row r of `matrix` (CSR, 0/1): (Σ_j o_j o_jᵀ + alpha0·G + λ_r I) x_r = Σ_j o_j, G = OᵀO."""
    gram = other.T @ other
    counts = np.diff(matrix.indptr)
    reg = lam * (counts + alpha0 * other.shape[0]) ** nu
    out = np.zeros((matrix.shape[0], d))
    for start in range(0, matrix.shape[0], 2048):
        end = min(matrix.shape[0], start + 2048)
        a = np.broadcast_to(alpha0 * gram, (end - start, d, d)).copy()
        b = np.zeros((end - start, d))
        for r in range(start, end):
            rows = other[matrix.indices[matrix.indptr[r] : matrix.indptr[r + 1]]]
            a[r - start] += rows.T @ rows
            b[r - start] = rows.sum(0)
        a += reg[start:end, None, None] * np.eye(d)[None]
        out[start:end] = np.linalg.solve(a, b[..., None])[..., 0]
    return out


def recall_at(users, items, train, test, k=20):
    total, n = 0.0, 0
    for start in range(0, users.shape[0], 4096):
        end = min(users.shape[0], start + 4096)
        scores = users[start:end] @ items.T
        scores[train[start:end].nonzero()] = -np.inf
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        for r in range(end - start):
            truth = test.indices[test.indptr[start + r] : test.indptr[start + r + 1]]
            if len(truth):
                total += len(np.intersect1d(top[r], truth)) / len(truth)
                n += 1
    return total / n


def main():
    folder = sys.argv[1]
    alpha0, lam, nu = (float(x) for x in sys.argv[2:5])
    epochs = int(sys.argv[5])
    d = int(sys.argv[6]) if len(sys.argv) > 6 else 64
    tr, te = read_lines(f"{folder}/train.txt"), read_lines(f"{folder}/test.txt")
    shape = (max(tr[0].max(), te[0].max()) + 1, max(tr[1].max(), te[1].max()) + 1)
    train = sp.csr_matrix((np.ones(len(tr[0])), tr), shape=shape)
    test = sp.csr_matrix((np.ones(len(te[0])), te), shape=shape)
    train.data[:] = 1
    train_t = train.T.tocsr()
    rng = np.random.default_rng(0)
    users = rng.standard_normal((shape[0], d)) * 0.1 / np.sqrt(d)
    items = rng.standard_normal((shape[1], d)) * 0.1 / np.sqrt(d)
    started = time.time()
    for epoch in range(1, epochs + 1):
        users = solve_rows(train, items, alpha0, lam, nu, d)
        items = solve_rows(train_t, users, alpha0, lam, nu, d)
        if epoch % 2 == 0 or epoch == epochs:
            print(epoch, round(recall_at(users, items, train, test), 4), round(time.time() - started, 1), flush=True)


if __name__ == "__main__":
    main()
