"""Peak memory of fitting and predicting on a sparse TF-IDF-like matrix.

``python -m benchmarks.sparse_memory`` builds a 4,000 x 50,000 CSR matrix
shaped like TF-IDF features (about 150 terms per document, rows of unit
norm), fits a ``KerasClassifier`` on it and predicts, in a fresh process, and
reports the process's peak resident memory above what it held before the
fit. Dense float64, the same matrix takes 1.6 GB; skdl densifies one
mini-batch at a time, so the requirement is a peak increase under a third
of that.
"""

import argparse
import json
import resource
import subprocess
import sys
import time

N_DOCUMENTS = 4_000
N_TERMS = 50_000
TERMS_PER_DOCUMENT = 150
MIB = 2**20


def _resident_bytes() -> int:
    """The process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize()


def _peak_resident_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def tfidf_like(n_documents: int, n_terms: int, terms_per_document: int, seed=0):
    """A CSR matrix like TfidfVectorizer's output, and labels it predicts."""
    import numpy as np
    import scipy.sparse

    rng = np.random.default_rng(seed)
    # Zipf-like term frequencies: a few common terms, many rare ones.
    popularity = 1.0 / np.arange(1, n_terms + 1)
    popularity /= popularity.sum()
    indptr = np.arange(n_documents + 1) * terms_per_document
    indices = np.concatenate(
        [
            np.sort(
                rng.choice(n_terms, terms_per_document, replace=False, p=popularity)
            )
            for _ in range(n_documents)
        ]
    )
    data = rng.exponential(size=len(indices))
    X = scipy.sparse.csr_matrix((data, indices, indptr), shape=(n_documents, n_terms))
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = scipy.sparse.diags(1 / norms) @ X
    topic = rng.normal(size=n_terms)
    return X.tocsr(), (X @ topic > np.median(X @ topic)).astype(int)


def measure(epochs: int) -> dict:
    """Fit and predict in this process; memory figures in bytes."""
    from skdl import KerasClassifier

    X, y = tfidf_like(N_DOCUMENTS, N_TERMS, TERMS_PER_DOCUMENT)
    # Import TensorFlow and trace once on a few rows first: the baseline
    # then holds the libraries, as in any process that has trained before.
    KerasClassifier(epochs=1, random_state=0).fit(X[:50], y[:50])
    before = max(_resident_bytes(), _peak_resident_bytes())
    start = time.perf_counter()
    classifier = KerasClassifier(epochs=epochs, random_state=0).fit(X, y)
    accuracy = classifier.score(X, y)
    seconds = time.perf_counter() - start
    peak = _peak_resident_bytes()
    return {
        "shape": list(X.shape),
        "stored_values": int(X.nnz),
        "dense_float64_bytes": X.shape[0] * X.shape[1] * 8,
        "csr_bytes": int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes),
        "resident_before_fit_bytes": before,
        "peak_resident_bytes": peak,
        "peak_increase_bytes": peak - before,
        "epochs": epochs,
        "fit_and_score_seconds": round(seconds, 2),
        "training_accuracy": round(float(accuracy), 3),
    }


def run(epochs: int = 2) -> dict:
    """Measure in a fresh Python process, so nothing else counts in the peak."""
    command = [sys.executable, "-m", "benchmarks.sparse_memory", "--child"]
    command += ["--epochs", str(epochs)]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def report(result: dict) -> str:
    dense = result["dense_float64_bytes"]
    increase = result["peak_increase_bytes"]
    lines = [
        f"X: {result['shape'][0]:,} x {result['shape'][1]:,} CSR, "
        f"{result['stored_values']:,} stored values, "
        f"{result['csr_bytes'] / MIB:.0f} MiB (dense float64: {dense / MIB:,.0f} MiB)",
        f"resident before fit: {result['resident_before_fit_bytes'] / MIB:,.0f} MiB",
        f"peak resident:       {result['peak_resident_bytes'] / MIB:,.0f} MiB",
        f"peak increase by fit + score: {increase / MIB:,.0f} MiB = "
        f"{increase / dense:.1%} of the dense matrix (requirement: under 33.3%)",
        f"fit + score: {result['fit_and_score_seconds']} s for "
        f"{result['epochs']} epochs; training accuracy "
        f"{result['training_accuracy']}",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sparse_memory")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.epochs)))
        return 0
    result = run(args.epochs)
    print(report(result))
    return 0 if result["peak_increase_bytes"] < result["dense_float64_bytes"] / 3 else 1


if __name__ == "__main__":
    sys.exit(main())
