"""Every read from a remote SPARQL endpoint, bounded: one POST, with

* an overall deadline (not a timeout per socket read): a watchdog shuts the connection when the
  request's seconds are up, whatever the server sends and however slowly;
* the answer's body streamed and capped (:data:`MAX_BODY`, ``$COALITION_KG_MAX_RESPONSE_MB``):
  past the cap the request stops with a clear error, nothing more is read;
* no redirects followed (a redirect names where it points, and the user gives that address);
* HTTP Digest or Basic authentication when the server asks for it (user and password never
  appear in a message).

Only the standard library's ``http.client``: what we need of SPARQLWrapper was the POST.
"""

from __future__ import annotations

import base64
import http.client
import os
import socket
import threading
import time
import urllib.request
from urllib.parse import urlencode, urlsplit

ENV_MAX_BODY = "COALITION_KG_MAX_RESPONSE_MB"
MAX_BODY = 512 << 20


def max_body() -> int:
    raw = os.environ.get(ENV_MAX_BODY, "")
    try:
        mb = float(raw)
    except ValueError:
        return MAX_BODY
    return int(mb * (1 << 20)) if mb > 0 else MAX_BODY


class HttpError(Exception):
    """An answer with an HTTP error status (``code``), and the first line of its body."""

    def __init__(self, code: int, message: str = ""):
        super().__init__(f"HTTP {code}" + (f": {message}" if message else ""))
        self.code = code
        self.message = message


class Refused(Exception):
    """An answer that is not read: a redirect, a body past the cap."""


class Deadline(Exception):
    """No complete answer within the request's seconds."""


def post(url: str, form: dict[str, str], accept: str, timeout: float, user: str | None = None,
         password: str | None = None) -> bytes:
    """POST ``form`` (url-encoded) to ``url``; the body of a 2xx answer.  Raises
    :class:`HttpError`, :class:`Refused`, :class:`Deadline` or ``OSError`` (cannot connect)."""
    deadline = time.monotonic() + timeout
    body = urlencode(form).encode("utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "Accept": accept,
               "User-Agent": "coalition-kg"}
    status, head, data = _request(url, body, headers, deadline, timeout)
    if status == 401 and user:
        auth = _authorization(url, body, head.get("WWW-Authenticate", ""), user, password or "")
        if auth:
            status, head, data = _request(url, body, dict(headers, Authorization=auth), deadline, timeout)
    if 300 <= status < 400:
        where = head.get("Location", "")
        raise Refused(f"redirected (HTTP {status}) to {where[:200]!r}; redirects are not followed — give that "
                      f"address as the endpoint if it is the right one")
    if status >= 400:
        first = data[:300].decode("utf-8", "replace").strip().splitlines()
        raise HttpError(status, first[0][:200] if first else "")
    return data


def _request(url: str, body: bytes, headers: dict, deadline: float, timeout: float):
    parts = urlsplit(url)
    conn_cls = http.client.HTTPSConnection if parts.scheme.lower() == "https" else http.client.HTTPConnection
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Deadline(f"no complete answer within {timeout:g} s")
    conn = conn_cls(parts.hostname, parts.port, timeout=remaining)
    fired = threading.Event()
    held: list = []                  # the socket, kept here: http.client drops its own reference to
                                     # it once a response that ends with the connection is begun

    def stop():                      # the deadline: whatever call is blocked on the socket returns
        fired.set()
        for sock in held + [conn.sock]:
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    watchdog = threading.Timer(remaining, stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.connect()
        held.append(conn.sock)
        if fired.is_set():
            raise Deadline(f"no complete answer within {timeout:g} s")
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        cap = max_body() if 200 <= resp.status < 300 else 64 << 10     # an error's body: its first lines only
        length = resp.getheader("Content-Length")
        if length and length.isdigit() and int(length) > cap and 200 <= resp.status < 300:
            raise Refused(f"the answer is {int(length):,} bytes, more than the limit of {cap:,} "
                          f"(${ENV_MAX_BODY} raises it)")
        chunks, total = [], 0
        while True:
            chunk = resp.read1(65536)
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                if 200 <= resp.status < 300:
                    raise Refused(f"the answer is larger than the limit of {cap:,} bytes (${ENV_MAX_BODY} raises it)")
                break
            chunks.append(chunk)
        if fired.is_set():               # the watchdog's shutdown reads as an end of file: not an answer
            raise Deadline(f"no complete answer within {timeout:g} s")
        return resp.status, resp.headers, b"".join(chunks)
    except (OSError, http.client.HTTPException) as exc:
        if fired.is_set():
            raise Deadline(f"no complete answer within {timeout:g} s") from None
        if isinstance(exc, http.client.HTTPException) and not isinstance(exc, OSError):
            raise ConnectionError(f"not an HTTP answer ({type(exc).__name__})") from None
        raise
    finally:
        watchdog.cancel()
        conn.close()
    # (the watchdog firing after the body was read changes nothing: the answer is complete)


def _authorization(url: str, body: bytes, challenge: str, user: str, password: str) -> str | None:
    scheme, _, rest = challenge.strip().partition(" ")
    if scheme.lower() == "digest":
        pw = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        pw.add_password(None, url, user, password)
        handler = urllib.request.HTTPDigestAuthHandler(pw)
        req = urllib.request.Request(url, data=body, method="POST")
        chal = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(rest)))
        auth = handler.get_authorization(req, chal)
        return f"Digest {auth}" if auth else None
    if scheme.lower() == "basic":
        return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
    return None
