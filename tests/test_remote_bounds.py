"""Every read from an endpoint is bounded, through the CLI against hostile servers on loopback:
a huge body is cut at the cap (memory stays small), a slow drip ends at the overall deadline,
deeply nested JSON is one line, redirects are not followed (to ftp:// or to another host), a
password with an unencoded '/' is never printed, and a NaN parameter is refused."""

from __future__ import annotations

import resource
import subprocess
import time

import pytest

from conftest import CLI, ROOT
from fake_endpoint import FakeEndpoint

RESULTS = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'


def _errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("coalition-kg: error:")]


def query(*args, env=None, limit_mb=None, timeout=120):
    import os

    def limits():
        if limit_mb:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))
    e = dict(os.environ, **(env or {}))
    return subprocess.run(CLI + ["query", "who_hosted_what", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=e, timeout=timeout, preexec_fn=limits)


@pytest.fixture
def hostile():
    fake = FakeEndpoint()
    yield fake
    fake.close()


def _stream(total: int, length: bool):
    def answer(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/sparql-results+json")
        if length:
            h.send_header("Content-Length", str(total))
        h.end_headers()
        block = b" " * (1 << 20)
        try:
            for _ in range(total >> 20):
                h.wfile.write(block)
        except OSError:
            pass                                  # the client hung up: what we want
        return True
    return answer


@pytest.mark.parametrize("length", [True, False])
def test_a_huge_answer_is_cut_at_the_cap_and_never_held(hostile, length):
    hostile.answer = _stream(2 << 30, length)               # 2 GB of whitespace (valid JSON padding)
    t = time.monotonic()
    proc = query("--endpoint", hostile.url, env={"COALITION_KG_MAX_RESPONSE_MB": "8"}, limit_mb=1024)
    errs = _errors(proc.stderr)
    assert proc.returncode == 1 and len(errs) == 1 and "limit" in errs[0], proc.stderr
    assert "MemoryError" not in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - t < 60


@pytest.mark.parametrize("where", ["head", "body"])
def test_a_slow_drip_ends_at_the_overall_deadline(hostile, where):
    def answer(h):
        try:
            if where == "head":
                for ch in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 60:
                    h.wfile.write(bytes([ch]))
                    h.wfile.flush()
                    time.sleep(0.5)
            else:
                h.send_response(200)
                h.send_header("Content-Type", "application/sparql-results+json")
                h.end_headers()
                for ch in RESULTS + b" " * 60:
                    h.wfile.write(bytes([ch]))
                    h.wfile.flush()
                    time.sleep(0.5)
        except OSError:
            pass
        return True
    hostile.answer = answer
    t = time.monotonic()
    proc = query("--endpoint", hostile.url, "--timeout", "3", timeout=60)
    took = time.monotonic() - t
    errs = _errors(proc.stderr)
    assert proc.returncode == 1 and len(errs) == 1 and "within 3 s" in errs[0], proc.stderr
    assert took < 20 and len(hostile.requests) == 1           # one request, no retries of a deadline


def test_deeply_nested_json_is_one_line(hostile):
    def answer(h):
        FakeEndpoint._send(h, 200, b'{"head": {"vars": ' + b"[" * 200000 + b"]" * 200000 + b"}}",
                           "application/sparql-results+json")
        return True
    hostile.answer = answer
    proc = query("--endpoint", hostile.url)
    errs = _errors(proc.stderr)
    assert proc.returncode == 1 and len(errs) == 1 and "Traceback" not in proc.stderr, proc.stderr


def test_redirects_are_not_followed(hostile):
    other = FakeEndpoint()                       # another host (another port) that would answer
    try:
        other.answer = lambda h: FakeEndpoint._send(h, 200, RESULTS, "application/sparql-results+json") or True
        for target in ("ftp://127.0.0.1/etc/passwd", other.url.replace("127.0.0.1", "localhost"), other.url):
            for code in (301, 302, 307, 308):
                def answer(h, code=code, target=target):
                    h.send_response(code)
                    h.send_header("Location", target)
                    h.send_header("Content-Length", "0")
                    h.end_headers()
                    return True
                hostile.answer = answer
                proc = query("--endpoint", hostile.url)
                errs = _errors(proc.stderr)
                assert proc.returncode == 1 and len(errs) == 1 and "redirect" in errs[0], proc.stderr
        assert other.requests == []
    finally:
        other.close()


def test_a_password_with_a_slash_is_never_printed(hostile):
    # (each makes an invalid authority: refused before any connection, nothing leaves loopback)
    for secret in ("qz7/kw9", "qz7/kw9@vv3", "qz7:kw9/vv3"):
        url = hostile.url.replace("http://", f"http://alice:{secret}@")
        proc = query("--endpoint", url)
        assert proc.returncode == 1 and len(_errors(proc.stderr)) == 1, proc.stderr
        for part in ("qz7", "kw9", "vv3"):
            assert part not in proc.stdout + proc.stderr, proc.stderr


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", "1e5", "١", "1_0"])
def test_a_number_parameter_that_is_not_a_number_is_refused(hostile, value):
    hostile.answer = lambda h: FakeEndpoint._send(h, 200, RESULTS, "application/sparql-results+json") or True
    proc = query("--endpoint", hostile.url, "--param", f"minConfidence={value}")
    errs = _errors(proc.stderr)
    assert proc.returncode == 1 and len(errs) == 1 and "minConfidence" in errs[0], proc.stderr
    assert hostile.requests == []
