"""The composition root: one AppContext holds the store, secrets, clock and endpoints.

The TUI and the headless commands both start from `build_context`; `--demo` builds the
same AppContext in glstui/demo.py (services never import the sandbox), so the only
difference between the demo and the real services is the endpoints and the keys.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from glstui import config
from glstui.amazon.client import AppCredentials, SpApiClient, default_http_client
from glstui.amazon.endpoints import Endpoints
from glstui.domain.clock import Clock, SystemClock
from glstui.domain.errors import N_, GlstuiError, Msg
from glstui.domain.settings import Settings
from glstui.gls.client import GLS_LIVE_URL, GLS_TEST_URL, GlsClient
from glstui.gls.tracking import GlsTracking, tracking_base_url
from glstui.i18n import set_language
from glstui.logs import setup_logging
from glstui.secrets import (
    AMAZON_APP_NAMES,
    GLS_LOGIN_NAMES,
    GLS_NAMES,
    Secrets,
    SecretsUnavailable,
    refresh_token_name,
)
from glstui.store import Store, StoreCorrupt


class Stoppable(Protocol):
    """What AppContext needs of the sandbox it owns (services may not import glstui.sandbox)."""

    def stop(self) -> None: ...


class ContextError(GlstuiError):
    """glstui cannot start; the message says what to do."""


class MissingCredentials(ContextError):
    pass


@dataclass
class AppContext:
    data_dir: Path
    store: Store
    secrets: Secrets
    clock: Clock
    endpoints: Endpoints
    lang: str = "en"
    demo: bool = False
    sandbox: Stoppable | None = None  # glstui.sandbox.Sandbox in --demo and tests
    time_scale: float = 1.0
    gls_base_url_override: str | None = None
    _cleanup: list[Path] = field(default_factory=list)

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self._cleanup.clear()

    @property
    def labels_dir(self) -> Path:
        return config.labels_dir(self.data_dir)

    def settings(self) -> Settings:
        with self.store.read() as view:
            return view.settings.get()

    def gls_base_url(self) -> str:
        if self.gls_base_url_override:
            return self.gls_base_url_override
        return GLS_LIVE_URL if self.settings().gls_environment == "live" else GLS_TEST_URL

    def http_client(self) -> httpx.AsyncClient:
        """One pool for a run: at most HTTP_LIMITS connections, however many shops import."""
        return default_http_client()

    def app_credentials(self) -> AppCredentials:
        try:
            values = [self.secrets.get(name) for name in AMAZON_APP_NAMES]
        except SecretsUnavailable as exc:
            raise MissingCredentials(exc.msg) from exc
        app_id, client_id, client_secret = values
        if not (app_id and client_id and client_secret):
            raise MissingCredentials(
                N_(
                    "The Amazon app credentials are not set: enter the app id, LWA client id "
                    "and client secret under Keys (Key beheer)."
                )
            )
        return AppCredentials(app_id=app_id, client_id=client_id, client_secret=client_secret)

    def amazon_client(self, http: httpx.AsyncClient) -> SpApiClient:
        return SpApiClient(
            http,
            self.endpoints,
            self.app_credentials(),
            clock=self.clock,
            time_scale=self.time_scale,
        )

    def gls_client(self, http: httpx.AsyncClient) -> GlsClient:
        try:
            key, user, password, customer = (self.secrets.get(name) for name in GLS_NAMES)
        except SecretsUnavailable as exc:
            raise MissingCredentials(exc.msg) from exc
        if not (key and user and password):
            raise MissingCredentials(
                N_(
                    "The GLS credentials are not set: enter the GLS user name, password and "
                    "subscription key under Keys (Key beheer)."
                )
            )
        return GlsClient(
            http,
            self.gls_base_url(),
            subscription_key=key,
            username=user,
            password=password,
            customer_no=customer or "",
            time_scale=self.time_scale,
        )

    def gls_tracking(self, http: httpx.AsyncClient) -> GlsTracking | None:
        """GLS Track & Trace (the label search) with the GLS keys; None without them.

        None rather than MissingCredentials: the search is a safety check before labelling
        again, and without it the "label may exist" warning simply stays."""
        try:
            key, user, password = (self.secrets.get(name) for name in GLS_LOGIN_NAMES)
        except SecretsUnavailable:
            return None
        if not (key and user and password):
            return None
        return GlsTracking(http, tracking_base_url(self.gls_base_url()), key, user, password)

    def refresh_token(self, integration_id: str) -> str | None:
        return self.secrets.get(refresh_token_name(integration_id))


def _language(lang: str | None) -> str:
    if lang:
        return lang
    env = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG", "")
    return "nl" if env.lower().startswith("nl") else "en"


def _open_store(data_dir: Path, clock: Clock) -> Store:
    try:
        return Store.open(data_dir, clock)
    except StoreCorrupt as exc:
        raise ContextError(exc.msg) from exc
    except OSError as exc:
        raise ContextError(
            N_(
                "Cannot open the data directory {path}: {error}. "
                "Check that it exists and that you may write to it, or pass --data-dir."
            ),
            path=data_dir,
            error=exc.strerror,
        ) from exc


def build_context(
    data_dir: Path | None = None,
    lang: str | None = None,
    clock: Clock | None = None,
    logs_required: bool = True,
) -> AppContext:
    clock = clock or SystemClock()
    language = _language(lang)
    set_language(language)
    try:
        directory = config.data_dir(data_dir)
    except OSError as exc:
        where = exc.filename or data_dir or Msg(N_("the data directory"))
        raise ContextError(
            N_(
                "Cannot use {path} as the data directory: {error}. "
                "Pass --data-dir (or set GLSTUI_HOME) to a directory you may write to."
            ),
            path=where,
            error=exc.strerror,
        ) from exc
    try:
        setup_logging(config.log_dir(directory))
    except OSError as exc:
        if logs_required:  # doctor (logs_required=False) runs on to report it
            where = config.log_dir(directory, create=False)
            raise ContextError(
                N_(
                    "Cannot write to the log directory {path}: {error}. Make it a "
                    "directory your user may write to, or run 'glstui doctor' to see more."
                ),
                path=where,
                error=exc.strerror,
            ) from exc
    store = _open_store(directory, clock)
    try:
        secrets = Secrets.open(directory)
    except SecretsUnavailable as exc:
        raise ContextError(exc.msg) from exc
    return AppContext(
        data_dir=directory,
        store=store,
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.production(),
        lang=language,
    )
