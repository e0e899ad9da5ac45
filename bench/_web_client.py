"""The GP of the web load bench: a browser's requests, each timed, over keep-alive connections.

One asyncio task per GP, so that hundreds of readers thinking between cases cost the client
process little CPU (the bench counts the clients' CPU too). HTTP/1.1 is spoken through h11, the
sans-IO protocol library, on asyncio streams; cookies (session, CSRF) are kept per GP.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
import urllib.parse
from collections.abc import Awaitable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import h11

CASE_KEY = re.compile(rb'name="case" value="([^"]+)"')
# gunicorn closes a keep-alive connection idle this long; the bench reconnects a little before.
KEEPALIVE_S = 5.0


@dataclass(frozen=True)
class Sample:
    kind: str  # "join", "answer", "image", "baseline"
    started: float  # time.monotonic() when the request was sent
    seconds: float
    ok: bool


@dataclass
class Response:
    status: int
    headers: dict[bytes, list[bytes]]
    body: bytes


@dataclass
class Record:
    """What every client measured: the requests, and the answers the server accepted."""

    samples: list[Sample] = field(default_factory=list)
    answered: list[tuple[str, str]] = field(default_factory=list)  # (token, case key)
    errors: list[str] = field(default_factory=list)


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, reopened when it went idle or closed."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._h11: h11.Connection | None = None
        self._last_used = 0.0

    async def _open(self) -> None:
        await self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._h11 = h11.Connection(our_role=h11.CLIENT)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = self._h11 = None

    async def request(
        self, method: str, path: str, fields: dict[str, str] | None = None, htmx: bool = False
    ) -> Response:
        fresh = (
            self._h11 is None
            or self._h11.our_state is not h11.IDLE
            or time.monotonic() - self._last_used > KEEPALIVE_S - 1.0
        )
        if fresh:
            await self._open()
        try:
            return await self._exchange(method, path, fields, htmx)
        except (ConnectionError, h11.RemoteProtocolError, asyncio.IncompleteReadError):
            if fresh:
                raise
            # The server closed the idle connection as we wrote: once more on a new one
            # (safe for every request here: answers are idempotent).
            await self._open()
            return await self._exchange(method, path, fields, htmx)

    async def _exchange(
        self, method: str, path: str, fields: dict[str, str] | None, htmx: bool
    ) -> Response:
        assert self._h11 is not None
        assert self._writer is not None
        assert self._reader is not None
        headers = [("Host", f"{self.host}:{self.port}"), ("Connection", "keep-alive")]
        if self.cookies:
            jar = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            headers.append(("Cookie", jar))
        body = b""
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers += [
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Content-Length", str(len(body))),
                ("X-CSRFToken", self.cookies.get("csrftoken", "")),
            ]
        if htmx:
            headers.append(("HX-Request", "true"))
        data = self._h11.send(h11.Request(method=method, target=path, headers=headers))
        if body:
            data += self._h11.send(h11.Data(data=body))
        data += self._h11.send(h11.EndOfMessage())
        self._writer.write(data)
        status = 0
        got: dict[bytes, list[bytes]] = {}
        chunks: list[bytes] = []
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                received = await self._reader.read(65536)
                if not received:
                    raise ConnectionError("the server closed the connection")
                self._h11.receive_data(received)
            elif isinstance(event, h11.Response):
                status = event.status_code
                for header, value in event.headers:
                    got.setdefault(bytes(header), []).append(bytes(value))
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the server closed the connection")
        for line in got.get(b"set-cookie", []):
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(line.decode("latin-1"))
            for cookie_name, morsel in cookie.items():
                self.cookies[cookie_name] = morsel.value
        self._last_used = time.monotonic()
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            self._h11.start_next_cycle()
        return Response(status, got, b"".join(chunks))


async def _timed(
    record: Record, kind: str, call: Awaitable[Response], expect: int
) -> Response | None:
    started = time.monotonic()
    try:
        response = await call
    except (OSError, h11.ProtocolError, asyncio.IncompleteReadError) as error:
        record.samples.append(Sample(kind, started, time.monotonic() - started, False))
        record.errors.append(f"{kind}: {type(error).__name__}: {error}")
        return None
    ok = response.status == expect
    record.samples.append(Sample(kind, started, time.monotonic() - started, ok))
    if not ok:
        record.errors.append(f"{kind}: HTTP {response.status}")
        return None
    return response


async def gp_session(
    *,
    host: str,
    port: int,
    token: str,
    cases: int,
    think_s: float,
    rng: random.Random,
    record: Record,
) -> None:
    """A GP from the link to the last case: the case page, its image, think, answer, repeat."""
    conn = Connection(host, port)
    try:
        if await _timed(record, "join", conn.request("GET", f"/take/i/{token}/"), 302) is None:
            return
        page = await _timed(record, "join", conn.request("GET", "/take/phase/1/"), 200)
        for number in range(cases):
            match = CASE_KEY.search(page.body) if page is not None else None
            if match is None:
                record.errors.append(f"answer: no case on the page after {number} answers")
                return
            key = match.group(1).decode()
            await _timed(record, "image", conn.request("GET", f"/take/image/{key}/"), 200)
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
            fields = {"case": key, "diagnosis": str(rng.randint(1, 7))}
            page = await _timed(
                record,
                "answer",
                conn.request("POST", "/take/phase/1/answer/", fields, htmx=True),
                200,
            )
            if page is not None:
                record.answered.append((token, key))
    finally:
        await conn.close()


async def baseline_client(*, host: str, port: int, path: str, until: float, record: Record) -> None:
    """Ask for ``path`` back to back until ``until`` (time.monotonic()), each request timed."""
    conn = Connection(host, port)
    try:
        while time.monotonic() < until:
            await _timed(record, "baseline", conn.request("GET", path), 200)
    finally:
        await conn.close()
