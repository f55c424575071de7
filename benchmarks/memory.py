"""Peak memory of cfncheck over a corpus once and repeated: does memory grow with the number of files?

    python benchmarks/memory.py [--times 10] [--jobs 1] [--runs 1] [--corpus DIR ...]

The corpus (default ../shared/corpus) is copied into a temporary folder once, and ``--times``
times (each copy in a folder of its own), and ``cfncheck --format json`` runs on each as a whole
process; the peak resident memory (the largest process of the tree, from ``wait4``) is the median
of ``--runs``. The target: the repeated corpus within 20% of the corpus once. The files that take
part in cross-template analysis (export, import or nest stacks) are counted apart: the run keeps
those together to the end, the others are freed once checked.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench import CORPORA, cfncheck_command, compile_bytecode, measure

HERE = Path(__file__).resolve().parent


def copies(corpora: list[str], times: int, into: Path) -> Path:
    """A folder holding ``times`` copies of the corpora."""
    into.mkdir()
    for copy in range(times):
        for index, corpus in enumerate(corpora):
            shutil.copytree(corpus, into / f"copy{copy}" / f"corpus{index}")
    return into


def peak_mb(folder: Path, jobs: int, runs: int) -> float:
    samples = [measure(cfncheck_command([str(folder)], jobs)) for _ in range(runs)]
    return statistics.median(sample.peak_kb for sample in samples) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=10, help="copies of the corpus in the large run (default 10)")
    parser.add_argument("--jobs", type=int, default=1, help="passed to cfncheck --jobs (default 1)")
    parser.add_argument("--runs", type=int, default=1, help="runs per case; the median is reported (default 1)")
    parser.add_argument("--corpus", action="append", help="a template corpus, repeatable (default: ../shared/corpus)")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE.parent))
    from cfncheck.files import collect
    from cfncheck.workers import partition

    compile_bytecode()
    corpora = args.corpus or [str(CORPORA[0])]
    workdir = Path(tempfile.mkdtemp(prefix="cfncheck-memory-"))
    try:
        print(f"cfncheck peak memory, --jobs {args.jobs}, median of {args.runs} run(s)")
        print(f"{'case':<12} {'files':>7} {'cross-template':>15} {'peak MB':>9} {'per 1,000 files':>16}")
        peaks = {}
        for times in (1, args.times):
            folder = copies(corpora, times, workdir / f"x{times}")
            together, alone = partition(collect([str(folder)]).sources)
            files = len(together) + len(alone)
            peaks[times] = peak_mb(folder, args.jobs, args.runs)
            print(
                f"corpus x{times:<4} {files:>7,} {len(together):>15,} {peaks[times]:>9.0f} "
                f"{peaks[times] / files * 1000:>16.0f}"
            )
            shutil.rmtree(folder)
        growth = peaks[args.times] / peaks[1]
        held = growth <= 1.2
        print(f"\ntarget: {'ok  ' if held else 'MISS'} corpus x{args.times} within 20% of x1: {growth:.2f}x")
        return 0 if held else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
