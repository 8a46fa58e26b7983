"""Pathological input: time and peak memory of `coalition-kg build --no-store` on one long line
with no punctuation (words, and one 'word' without spaces), at growing lengths.  Linear is the goal.

    python bench/pathological.py [--sizes 25000,50000,100000,200000]

Each run is a fresh CLI process (torch on 1 thread); prints one JSON object.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["وزير", "الخارجية", "اجتماع", "التحالف", "الدولي", "ضد", "داعش", "روما", "العراق", "بلينكن"]


def run(path: Path, out: Path) -> dict:
    code = ("import resource, subprocess, sys, time; t = time.time(); "
            "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True); "
            "print(time.time() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    res = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "coalition_kg.cli", "build", str(path),
                          "--out", str(out), "--no-store", "-q"], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "OMP_NUM_THREADS": "1"}, check=True)
    secs, mb = map(float, res.stdout.split())
    return {"seconds": round(secs, 1), "peak_rss_mb": round(mb)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="25000,50000,100000,200000")
    args = ap.parse_args()
    random.seed(1)
    text = " ".join(random.choice(WORDS) for _ in range(60000))
    report = {}
    with tempfile.TemporaryDirectory() as d:
        for n in map(int, args.sizes.split(",")):
            for kind, body in (("words", text[:n]), ("one_word", ("داعش" * (n // 4 + 1))[:n])):
                f = Path(d) / f"{kind}-{n}.txt"
                f.write_text(body + "\n", encoding="utf-8")
                report[f"{kind}_{n}"] = run(f, Path(d) / "out")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
