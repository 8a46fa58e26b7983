"""The gazetteer index is built once into the cache directory and read back from there; a
damaged cache file is rebuilt, not trusted.  (State, not clocks: a read leaves the file as it
is — same inode, same mtime — and a rebuild replaces it.)"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBE = ("from coalition_kg import gazetteer as g; gz = g.load(); "
         "print(len(gz.by_geonames), gz.capitals['FR'].name_en, g._cache_path())")


def run(cache):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True).stdout.split()
    return int(out[0]), out[1], out[2]


def _state(path):
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size


def test_index_is_cached_and_a_damaged_cache_is_rebuilt(tmp_path):
    n, paris, path = run(tmp_path)
    assert paris == "Paris" and n > 1000 and os.path.exists(path)
    written = _state(path)
    os.utime(path, ns=(1, 1))                  # a mark a rewrite would lose
    marked = _state(path)
    n2, _, _ = run(tmp_path)
    assert n2 == n and _state(path) == marked  # read back, not rebuilt (nor rewritten)
    with open(path, "wb") as fh:
        fh.write(b"\x80\x04garbage")
    n3, paris3, _ = run(tmp_path)
    assert n3 == n and paris3 == "Paris"
    rebuilt = _state(path)
    assert rebuilt[1] != 1 and rebuilt[2] == written[2]      # replaced by a whole index again
    assert run(tmp_path)[0] == n and _state(path) == rebuilt   # and the rebuilt file is good again
