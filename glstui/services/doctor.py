"""`glstui doctor`: check what glstui needs, and say for each problem what to do.

An operator on a warehouse server runs this when something does not work (or a cron import
failed). Every check is one line, "PASS/WARN/FAIL  what — what to do": the data directory,
the store file and the shape of its records (doctor_store.py), the log and label
directories, the secret store and which keys are present (never their values), the free
disk space, whether the Amazon and GLS hosts answer, and then what an import needs of them
(doctor_live.py): a real token refresh per shop against the configured LWA endpoint and GLS
ValidateLogin. Exit code 0 when nothing FAILed, 1 otherwise. Doctor changes nothing.
The Support screen shows the same lines.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from glstui import config
from glstui.domain.errors import GlstuiError
from glstui.i18n import _
from glstui.secrets import AMAZON_APP_NAMES, GLS_LOGIN_NAMES, Secrets, refresh_token_name
from glstui.store.errors import StoreError

if TYPE_CHECKING:
    from glstui.services.context import AppContext

PASS = "PASS"
WARN = "WARN"
FAIL = "FAIL"

REACH_TIMEOUT = 5.0


@dataclass(frozen=True)
class Check:
    status: str  # PASS | WARN | FAIL
    what: str
    todo: str = ""

    def line(self) -> str:
        return f"{self.status}  {self.what}" + (f" — {self.todo}" if self.todo else "")


# --- directories and files -----------------------------------------------------------------


def _message(exc: Exception) -> str:
    """Our errors in the operator's language; anything else as Python words it."""
    return exc.user_message if isinstance(exc, GlstuiError) else str(exc)


def _writable(directory: Path) -> str:
    """ "" when a file can be created in `directory`, else the reason."""
    try:
        fd, name = tempfile.mkstemp(prefix=".glstui-doctor-", dir=directory)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(name)
    return ""


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def readable_by_others(template: str, path: Path, todo: str, **names: object) -> list[Check]:
    """A WARN when group or others may read `path` (buyer addresses, keys); else nothing.

    `template` and `todo` are translated texts; {path}, {mode} and `names` fill them."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return []
    return [
        Check(
            WARN,
            template.format(path=path, mode=mode, **names),
            todo.format(path=path),
        )
    ]


def check_directory(
    label: str, directory: Path, advise_private: bool = False, may_create: bool = False
) -> list[Check]:
    if not directory.exists():
        parent = _nearest_existing(directory)
        if may_create and parent.is_dir() and not _writable(parent):
            return [
                Check(
                    PASS,
                    _("{what} {path} will be created when needed").format(
                        what=label, path=directory
                    ),
                )
            ]
        return [
            Check(
                FAIL,
                _("{what} {path} does not exist").format(what=label, path=directory),
                _("create it (mkdir -p {path}) or pass --data-dir").format(path=directory),
            )
        ]
    if not directory.is_dir():
        return [
            Check(
                FAIL,
                _("{what} {path} is not a directory").format(what=label, path=directory),
                _("move the file aside or pass --data-dir"),
            )
        ]
    reason = _writable(directory)
    if reason:
        return [
            Check(
                FAIL,
                _("{what} {path} is not writable ({reason})").format(
                    what=label, path=directory, reason=reason
                ),
                _("give your user write access (chown/chmod) or pass --data-dir"),
            )
        ]
    out = [Check(PASS, _("{what} {path} is writable").format(what=label, path=directory))]
    if advise_private:
        out += readable_by_others(
            _("{what} {path} can be read by other users (mode {mode:o})"),
            directory,
            _("chmod 700 {path}"),
            what=label,
        )
    return out


def no_data_checks(directory: Path) -> list[Check]:
    """Doctor on a directory without glstui data: the directory, and how to set it up."""
    checks = check_directory(_("Data directory"), directory, advise_private=True, may_create=True)
    checks.append(
        Check(
            FAIL,
            _("There is no glstui data in {path}").format(path=directory),
            _(
                "check --data-dir or GLSTUI_HOME for a typo; to set up a new installation "
                "start glstui (the console) once with this data directory"
            ),
        )
    )
    return checks


# --- secrets --------------------------------------------------------------------------------


def _present(secrets: Secrets, names: tuple[str, ...]) -> list[str]:
    """The names in `names` that have no value."""
    return [n for n in names if not secrets.get(n)]


def check_secrets(ctx: AppContext) -> list[Check]:
    secrets = ctx.secrets
    name = getattr(secrets, "store_name", "?")
    out = [Check(PASS, _("Secret store in use: {name}").format(name=name))]
    if getattr(secrets, "is_new", False):
        out.append(
            Check(
                FAIL,
                _("The encrypted secrets file does not exist yet"),
                _("start glstui, choose a passphrase and enter the keys under Keys (Key beheer)"),
            )
        )
        return out
    if getattr(secrets, "locked", False):
        reason = getattr(secrets, "unlock_error", "")
        out.append(
            Check(
                FAIL,
                _("The secret store is locked"),
                reason
                or _(
                    "unlock it in the app, or set GLSTUI_KEYRING_PASSPHRASE (or the systemd "
                    "credential glstui-passphrase) for headless runs"
                ),
            )
        )
        return out
    try:
        missing_amazon = _present(secrets, AMAZON_APP_NAMES)
        missing_gls = _present(secrets, GLS_LOGIN_NAMES)
        with ctx.store.read() as view:
            shops = [i for i in view.integrations.all() if i.connected]
        missing_tokens = [i for i in shops if not secrets.get(refresh_token_name(i.id))]
    except Exception as exc:  # SecretsUnavailable: its message says what to do
        return [*out, Check(FAIL, _("The secret store cannot be read"), _message(exc))]
    if missing_amazon:
        out.append(
            Check(
                FAIL,
                _("Amazon app credentials missing: {names}").format(
                    names=", ".join(missing_amazon)
                ),
                _("enter the app id, LWA client id and client secret under Keys (Key beheer)"),
            )
        )
    else:
        out.append(Check(PASS, _("Amazon app credentials are set")))
    if missing_gls:
        out.append(
            Check(
                FAIL,
                _("GLS credentials missing: {names}").format(names=", ".join(missing_gls)),
                _("enter the GLS user name, password and subscription key under Keys (Key beheer)"),
            )
        )
    else:
        out.append(Check(PASS, _("GLS credentials are set")))
    for integ in sorted(missing_tokens, key=lambda i: i.shop_name.casefold()):
        out.append(
            Check(
                FAIL,
                _("Shop {shop}: no Amazon refresh token").format(shop=integ.shop_name),
                _("re-connect this shop under Integrations"),
            )
        )
    return out


# --- shops ----------------------------------------------------------------------------------


def check_shops(ctx: AppContext) -> list[Check]:
    from glstui.domain.integration import NEEDS_REAUTH

    now = ctx.clock.now()
    with ctx.store.read() as view:
        shops = sorted(view.integrations.all(), key=lambda i: i.shop_name.casefold())
    out: list[Check] = []
    for integ in shops:
        if integ.status == NEEDS_REAUTH:
            out.append(
                Check(
                    FAIL,
                    _("Shop {shop}: Amazon consent expired or was revoked").format(
                        shop=integ.shop_name
                    ),
                    _("re-connect this shop under Integrations"),
                )
            )
            continue
        left = integ.reconsent_days_left(now)
        if integ.connected and left is not None and left <= 30:
            out.append(
                Check(
                    WARN,
                    _("Shop {shop}: Amazon consent runs out in {days} days").format(
                        shop=integ.shop_name, days=max(left, 0)
                    ),
                    _("re-connect this shop before then"),
                )
            )
    return out


# --- reachability ---------------------------------------------------------------------------


def endpoints_to_check(ctx: AppContext) -> list[tuple[str, str]]:
    """(label, url) of every outside host glstui will call with the current settings."""
    endpoints = ctx.endpoints
    with ctx.store.read() as view:
        regions = sorted({i.region for i in view.integrations.all()}) or ["EU"]
    targets: list[tuple[str, str]] = [(_("Amazon login (LWA)"), endpoints.lwa_token_url)]
    for region in regions:
        try:
            base = endpoints.api_base(region)
        except KeyError:
            continue
        targets.append((_("Amazon SP-API {region}").format(region=region), base))
    try:
        gls = ctx.gls_base_url()
    except Exception:
        gls = None
    if gls:
        targets.append((_("GLS label API"), gls))
    seen: set[str] = set()
    unique = []
    for label, url in targets:
        if url not in seen:
            seen.add(url)
            unique.append((label, url))
    return unique


def _probe(url: str, timeout: float) -> str:
    """ "" when the host answered with any HTTP status, else the reason it did not."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            client.head(url)
    except httpx.TimeoutException:
        return _("no answer within {s:g} s").format(s=timeout)
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return ""


def check_reachability(
    ctx: AppContext, timeout: float = REACH_TIMEOUT, probe: Callable[[str, float], str] = _probe
) -> list[Check]:
    targets = endpoints_to_check(ctx)
    with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
        reasons = list(pool.map(lambda t: probe(t[1], timeout), targets))
    out = []
    for (label, url), reason in zip(targets, reasons, strict=True):
        if reason:
            out.append(
                Check(
                    FAIL,
                    _("{what} {url} is not reachable ({reason})").format(
                        what=label, url=url, reason=reason
                    ),
                    _("check the network, proxy (HTTPS_PROXY) and firewall of this server"),
                )
            )
        else:
            out.append(Check(PASS, _("{what} {url} answers").format(what=label, url=url)))
    return out


# --- all together ---------------------------------------------------------------------------


def doctor_checks(
    ctx: AppContext, timeout: float = REACH_TIMEOUT, network: bool = True, full: bool = False
) -> list[Check]:
    """Every check in order; `full` decodes every stored record (doctor_store.py says why
    that is not the default)."""
    from glstui.services import doctor_live, doctor_store

    data_dir = Path(ctx.data_dir)
    checks = check_directory(_("Data directory"), data_dir, advise_private=True)
    data_ok = checks[0].status != FAIL
    checks += doctor_store.check_store(ctx, full=full)
    for label, directory in (
        (_("Log directory"), config.log_dir(data_dir, create=False)),
        (_("Label directory"), config.labels_dir(data_dir, create=False)),
    ):
        checks += check_directory(label, directory, may_create=data_ok)
    checks += check_secrets(ctx)
    with contextlib.suppress(Exception):  # the store check already said what is wrong
        checks += check_shops(ctx)
    if network:  # the live checks: what changes by the minute (disk, hosts, logins)
        if data_ok:
            checks += doctor_live.check_free_disk(data_dir)
        reach = check_reachability(ctx, timeout=timeout)
        checks += reach
        down = " ".join(c.what for c in reach if c.status == FAIL)
        # A host that does not answer at all was just reported; do not report it twice.
        if ctx.endpoints.lwa_token_url not in down:
            with contextlib.suppress(StoreError):  # the store check said what is wrong
                checks += doctor_live.check_token_refresh(ctx, timeout)
        with contextlib.suppress(Exception):
            if ctx.gls_base_url() in down:
                return checks
        checks += doctor_live.check_gls_login(ctx, timeout)
    return checks
