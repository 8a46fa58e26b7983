"""The gazetteer index is built once into the cache directory and read back from there; a
damaged cache file is rebuilt, not trusted."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBE = ("import time; t = time.time(); from coalition_kg import gazetteer as g; gz = g.load(); "
         "print(round(time.time() - t, 3), len(gz.by_geonames), gz.capitals['FR'].name_en, g._cache_path())")


def run(cache):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True).stdout.split()
    return float(out[0]), int(out[1]), out[2], out[3]


def test_index_is_cached_and_a_damaged_cache_is_rebuilt(tmp_path):
    built, n, paris, path = run(tmp_path)
    assert paris == "Paris" and n > 1000 and os.path.exists(path)
    cached, n2, _, _ = run(tmp_path)
    assert n2 == n and cached < built          # read back, not rebuilt
    with open(path, "wb") as fh:
        fh.write(b"\x80\x04garbage")
    again, n3, paris3, _ = run(tmp_path)
    assert n3 == n and paris3 == "Paris"
    assert run(tmp_path)[1] == n               # and the rebuilt file is good again
