"""One real HTTP server on 127.0.0.1 that plays every outside service under the real paths:
Seller Central consent, Login with Amazon, the Orders APIs, and (mounted from
glstui.sandbox.gls) the GLS Label API. It runs in a background thread, so sync tests, async
tests and a Textual app in the same process can all use it.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from glstui.sandbox.amazon import (
    CODE_TTL,
    DEMO_SELLERS,
    AmazonSim,
    Response,
    error_list,
    json_response,
)
from glstui.sandbox.clock import SimClock
from glstui.sandbox.data import SimOrder
from glstui.sandbox.faults import Faults

log = logging.getLogger("glstui.sandbox")

# GLS (Azure APIM) ignores case: Label API live/test, Track & Trace test/live
GLS_PREFIXES = ("/v1/api/", "/test/v1/api/", "/tt-test/", "/tt/v1/")


class LoggedRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, str]  # repeated keys joined with ","
    json: Any  # request body (JSON), or for form posts only non-secret fields
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default backlog of 5 stalls 20 shops connecting at once
    request_queue_size = 128
    sandbox: Sandbox


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's own, filled by send_header
    timeout = 60  # idle keep-alive connections end after this

    def setup(self) -> None:
        super().setup()
        # small answers go out at once, without Nagle's delay
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.sandbox._connection(+1)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.sandbox._connection(-1)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the sandbox keeps its own request_log; no noise on stderr

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        resp = sandbox._handle(self.command, parts.path, parts.query, headers, body)
        if resp is None:  # "reset" fault: hang up without an answer
            self.close_connection = True
            return
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if resp.status != 204 or resp.body:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        # headers and body in one write: a separate small write costs a delayed-ACK wait
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(resp.body)
        self.flush_headers()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch


class Sandbox:
    """Simulated Amazon + GLS on loopback. Use as a context manager or start()/stop().

    Sandbox(seed=1, orders=200, time_scale=60.0): a shop of 200 orders drawn from seed 1,
    whose clock (and rate limits, code and token lifetimes) runs 60 times faster than real
    time, starting now or at `start`.
    """

    def __init__(
        self,
        seed: int = 1,
        orders: int = 200,
        time_scale: float = 60.0,
        *,
        start: datetime | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        sellers: dict[str, str] | None = None,
        app_draft: bool = False,
        history_days: float = 7.0,
        arrivals_per_hour: float = 6.0,
        rate_limits: dict[str, tuple[float, int]] | None = None,
        enforce_rate_limits: bool = True,
        code_ttl: timedelta | None = None,
        partial_share: float = 0.0,
        kinds_share: float = 0.0,
    ) -> None:
        self.seed = seed
        self.host = host
        self.port = port
        self.clock = SimClock(start, time_scale)
        self.faults = Faults()
        self.request_log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        # connections clients opened: in all, open now, most open at once (tests of a pool)
        self.connections_opened = self.open_connections = self.peak_connections = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._gls: Any = None
        self._gls_checked = False
        self.amazon = AmazonSim(
            clock=self.clock,
            seed=seed,
            orders=orders,
            base_url=lambda: self.base_url,
            sellers=sellers or DEMO_SELLERS,
            app_draft=app_draft,
            history_days=history_days,
            arrivals_per_hour=arrivals_per_hour,
            rate_limits=rate_limits,
            enforce_rate_limits=enforce_rate_limits,
            code_ttl=code_ttl or CODE_TTL,
            partial_share=partial_share,
            kinds_share=kinds_share,
        )

    @property
    def time_scale(self) -> float:
        """The sandbox clock's time scale (the one its token buckets refill by)."""
        return self.clock.time_scale

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.sandbox = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"glstui-sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.info("sandbox listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- what tests and the demo reach for ----------------------------------------------

    @property
    def orders(self) -> dict[str, SimOrder]:
        """The default seller's simulated orders by order id (live objects)."""
        return self.orders_of(self.amazon.default_seller)

    def orders_of(self, seller_id: str) -> dict[str, SimOrder]:
        return self.amazon.book(seller_id).orders

    def add_orders(self, n: int, seller_id: str | None = None, **kw: Any) -> list[SimOrder]:
        """Let `n` new orders arrive now (kw: status=, country= NL|BE|DE|FR)."""
        with self.amazon.lock:
            book = self.amazon.book(seller_id or self.amazon.default_seller)
            return book.add_orders(n, self.clock.now(), **kw)

    def cancel(self, order_id: str, seller_id: str | None = None) -> SimOrder:
        """The buyer cancels an order now (as Amazon does to unshipped orders)."""
        with self.amazon.lock:
            order = self.orders_of(seller_id or self.amazon.default_seller)[order_id]
            order.status = "CANCELLED"
            order.last_updated = self.clock.now().replace(microsecond=0)
            return order

    def issue_refresh_token(self, seller_id: str | None = None) -> str:
        """A refresh token as if the seller had self-authorized (private app / tests)."""
        return self.amazon.issue_refresh_token(seller_id)

    def revoke(self, refresh_token: str | None = None, *, seller_id: str | None = None) -> None:
        """Revoke a refresh token; without one, every token of `seller_id` (or all)."""
        self.amazon.revoke(refresh_token, seller_id=seller_id)

    def expire_access_tokens(self) -> None:
        self.amazon.expire_access_tokens()

    @property
    def throttled(self) -> int:
        """How many 429s the rate limiter (not a fault) has sent."""
        return self.amazon.throttled

    def requests(self, path_prefix: str = "", method: str | None = None) -> list[LoggedRequest]:
        with self._log_lock:
            return [
                r
                for r in self.request_log
                if r.path.startswith(path_prefix) and (method is None or r.method == method)
            ]

    @property
    def gls(self) -> Any:
        """The mounted GlsSandbox (glstui.sandbox.gls), or None if that module is missing."""
        if not self._gls_checked:
            self._gls_checked = True
            if importlib.util.find_spec("glstui.sandbox.gls") is not None:
                module = importlib.import_module("glstui.sandbox.gls")
                self._gls = module.GlsSandbox(self.seed, now=self.clock.now)
        return self._gls

    # --- request handling (server threads) ----------------------------------------------

    def _connection(self, change: int) -> None:
        with self._log_lock:
            self.open_connections += change
            if change > 0:
                self.connections_opened += change
            self.peak_connections = max(self.peak_connections, self.open_connections)

    def _record(self, method: str, path: str, query: str, body: Any, status: int) -> None:
        q = {k: ",".join(v) for k, v in parse_qs(query, keep_blank_values=True).items()}
        with self._log_lock:
            self.request_log.append(LoggedRequest(method, path, q, body, status))

    def _handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        try:
            resp = self._respond(method, path, query, headers, body)
        except Exception:  # a sandbox bug must show up as a 500, not a hung client
            log.exception("sandbox error on %s %s", method, path)
            resp = json_response(500, error_list("InternalFailure", "Sandbox internal error."))
        if resp is None:
            self._record(method, path, query, None, 0)
            return None
        self._record(method, path, query, resp.log_body, resp.status)
        return resp

    def _respond(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        fault = self.faults.take(method, path)
        if fault is not None:
            if fault.kind == "slow":
                time.sleep(fault.delay)
            else:
                return self._fault_response(fault.kind, path, headers)
        if path.lower().startswith(GLS_PREFIXES):
            return self._gls_response(method, path, query, headers, body)
        q = parse_qs(query, keep_blank_values=True)
        return self.amazon.handle(method, path, q, headers, body)

    def _fault_response(self, kind: str, path: str, headers: dict[str, str]) -> Response | None:
        rid = {"x-amzn-RequestId": str(uuid.uuid4())}
        if kind == "reset":
            return None
        if kind == "429":
            return json_response(
                429,
                error_list("QuotaExceeded", "You exceeded your quota for the requested resource."),
                rid,
            )
        if kind == "malformed_json":
            return Response(200, b'{"orders": [{"orderId": "402-', rid)
        if kind == "expired_access_token":
            self.amazon.expire_access_token(headers.get("x-amz-access-token", ""))
            return json_response(
                403,
                error_list(
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "The access token you provided has expired.",
                ),
                rid,
            )
        status = int(kind)
        code = "InternalFailure" if status == 500 else "ServiceUnavailable"
        message = (
            "We encountered an internal error. Please try again."
            if status == 500
            else "Service temporarily unavailable. Please try again."
        )
        return json_response(status, error_list(code, message), rid)

    def _gls_response(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Response:
        gls = self.gls
        if gls is None:
            return json_response(501, {"message": "The GLS sandbox is not installed yet."})
        q = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        status, out_headers, out_body = gls.handle(method, path, q, headers, body)
        out_headers = dict(out_headers)
        ctype = next(
            (v for k, v in out_headers.items() if k.lower() == "content-type"), "application/json"
        )
        out_headers = {k: v for k, v in out_headers.items() if k.lower() != "content-type"}
        if isinstance(out_body, str):
            out_body = out_body.encode()
        return Response(status, out_body, out_headers, ctype)


def describe(sandbox: Sandbox) -> str:
    """What `glstui sandbox` prints: where it runs and the demo credentials."""
    from glstui.sandbox.amazon import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

    sellers = ", ".join(f"{sid} ({name})" for sid, name in sandbox.amazon.sellers.items())
    base = sandbox.base_url
    now = f"{sandbox.clock.now():%Y-%m-%d %H:%M:%S}Z"
    lines = [
        f"glstui sandbox running on {base}",
        f"  time scale     {sandbox.time_scale:g}x (simulated now {now})",
        f"  Amazon app id  {DEMO_APP_ID}",
        f"  LWA client id  {DEMO_CLIENT_ID}",
        f"  LWA secret     {DEMO_CLIENT_SECRET}",
        f"  sellers        {sellers}",
        f"  consent page   {base}/apps/authorize/consent?application_id={DEMO_APP_ID}&state=..",
        f"  GLS Label API  {sandbox.base_url}/Test/V1/api/"
        + ("" if sandbox.gls is not None else " (not installed)"),
        f"  GLS T&T        {sandbox.base_url}/tt-test/api/parcel/v1/search",
    ]
    return "\n".join(lines)
