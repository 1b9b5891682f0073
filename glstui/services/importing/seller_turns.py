"""Per-seller turns between imports of any process: cron, `glstui import` and the console.

Amazon counts a seller's calls in one bucket whatever process makes them, so two imports of
one seller pacing on a full bucket each get 429s (issue 18). An import holds a per-seller
file lock in `<data dir>/pacing/` for its whole run, taken before any store lock (so the run
that waits blocks nobody), and starts from the bucket state the previous run of that seller
left there. `SellerTurns.take` waits in the calling thread (the headless command);
`take_async` waits on the event loop without blocking it, and can be stopped (the console:
`x` while it waits). Both take the same lock files, so cron and console never pace one seller
twice. `import_console` is the console's import with its turns.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock

from glstui.amazon.client import SpApiClient, seller_key
from glstui.domain.errors import N_, GlstuiError
from glstui.domain.integration import Integration
from glstui.domain.run import ImportRun
from glstui.files import atomic_write
from glstui.i18n import _
from glstui.secrets import SecretsError, SecretsUnavailable
from glstui.services.events import INFO, LogLine, Reporter, ignore
from glstui.services.importing.run import import_shops

if TYPE_CHECKING:
    from glstui.services.context import AppContext

PACING_DIR = "pacing"
SELLER_WAIT_S = 600.0  # real seconds a run waits for another import of the same seller
POLL_S = 0.2  # how often a waiting console import looks at the lock again

log = logging.getLogger("glstui.import")

Key = tuple[str, str]  # (seller, region)


class SellerInUse(GlstuiError):
    """Another import of the seller still ran after the wait: this run stops, nothing ran."""

    def __init__(self, shop: str, waited: float) -> None:
        super().__init__(
            N_(
                "Another import of shop {shop} is still running after {minutes} min of "
                "waiting; this run stops. Try again when it has finished."
            ),
            shop=shop,
            minutes=max(1, math.ceil(waited / 60)),
        )
        self.shop = shop

    @property
    def message(self) -> str:
        return self.user_message


def _waiting_text(shop: str, wait: float) -> str:
    text = _(
        "{shop}: another import of this shop is running; waiting for it to finish (at most {minutes} min)."  # noqa: E501
    )
    return text.format(shop=shop, minutes=max(1, math.ceil(wait / 60)))


class SellerTurns:
    """This run's per-seller locks in `<data dir>/pacing/` and the bucket state kept there."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / PACING_DIR
        self.held: dict[Key, filelock.BaseFileLock] = {}

    def wanted(self, ctx: Any, shops: list[Integration]) -> dict[Key, str]:
        """(seller, region) -> a shop name, for the shops whose refresh token can be read
        (the import itself says what is wrong with the others); reads the key store."""
        wanted: dict[Key, str] = {}
        for integ in shops:
            try:
                token = ctx.refresh_token(integ.id)
            except (SecretsError, SecretsUnavailable):
                continue
            if token:
                wanted.setdefault((seller_key(token), integ.region), integ.shop_name)
        return wanted

    def _lock(self, key: Key) -> filelock.BaseFileLock | None:
        """The lock of one seller (not taken yet); None when the folder cannot be made."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:  # the store's own check says what is wrong with the data dir
            log.warning("no seller locks (%s): %s", self.folder, exc.strerror or exc)
            return None
        # thread_local=False: the console takes it on the event loop and may release it
        # from another thread's callback; the lock belongs to this run, not to a thread.
        return filelock.FileLock(self._path(key, ".lock"), mode=0o600, thread_local=False)

    def take(
        self,
        ctx: Any,
        shops: list[Integration],
        wait: float,
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        """Lock the sellers of `shops` (in a fixed order, so two runs cannot deadlock); raises
        SellerInUse after `wait` seconds for one that another process holds."""
        wanted = self.wanted(ctx, shops)
        for key in sorted(wanted):
            lock = self._lock(key)
            if lock is None:
                return
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:  # (a subclass of OSError: first)
                say(_waiting_text(wanted[key], wait))
                try:
                    lock.acquire(timeout=wait)
                except filelock.Timeout:
                    self.release()
                    raise SellerInUse(wanted[key], wait) from None
            except OSError as exc:  # cannot make the lock file: import as before, unlocked
                log.warning("no seller lock (%s): %s", self.folder, exc.strerror or exc)
                continue
            self.held[key] = lock

    async def take_async(
        self,
        ctx: Any,
        shops: list[Integration],
        wait: float,
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        """`take` for the event loop: waits in POLL_S steps, never blocking the loop; when
        stopped (cancelled) while it waits, the locks it took so far are given back."""
        wanted = await asyncio.to_thread(self.wanted, ctx, shops)
        loop = asyncio.get_running_loop()
        try:
            for key in sorted(wanted):
                lock = self._lock(key)
                if lock is None:
                    return
                deadline = loop.time() + wait
                said = False
                while True:
                    try:
                        lock.acquire(timeout=0)
                    except filelock.Timeout:  # (a subclass of OSError: first)
                        if loop.time() >= deadline:
                            raise SellerInUse(wanted[key], wait) from None
                        if not said:
                            say(_waiting_text(wanted[key], wait))
                            said = True
                        await asyncio.sleep(POLL_S)
                        continue
                    except OSError as exc:  # cannot make the lock file: import unlocked
                        log.warning("no seller lock (%s): %s", self.folder, exc.strerror or exc)
                    else:
                        self.held[key] = lock
                    break
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        for lock in self.held.values():
            lock.release()
        self.held.clear()

    def _path(self, key: Key, suffix: str) -> Path:
        return self.folder / f"{key[0]}-{key[1] or 'any'}{suffix}"

    def resume(self, client: SpApiClient) -> None:
        """Start the client's buckets of the held sellers where the last run left them."""
        for seller, region in self.held:
            state = _read_state(self._path((seller, region), ".json"))
            client.limiter.resume(seller, region, state)

    def save(self, client: SpApiClient) -> None:
        for seller, region in self.held:
            state = client.limiter.state(seller, region)
            if state:
                _write_state(self._path((seller, region), ".json"), state)


def _read_state(path: Path) -> dict[str, tuple[float, float]]:
    """The saved snapshots; anything unreadable or odd counts as none (the bucket starts as
    Amazon's does, and a 429 then drains it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("pacing state %s ignored: %s", path.name, type(exc).__name__)
        return {}
    state: dict[str, tuple[float, float]] = {}
    if isinstance(data, dict):
        for operation, value in data.items():
            if (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, int | float) and math.isfinite(v) for v in value)
            ):
                state[str(operation)] = (float(value[0]), float(value[1]))
    return state


def _write_state(path: Path, state: dict[str, tuple[float, float]]) -> None:
    payload = json.dumps({op: list(v) for op, v in state.items()}).encode("utf-8")
    try:
        atomic_write(path, payload)
    except OSError as exc:  # pacing state is a courtesy: never fail an import for it
        log.warning("could not save pacing state %s: %s", path.name, exc.strerror or exc)


async def import_console(
    ctx: AppContext,
    integration_ids: list[str],
    report: Reporter = ignore,
    *,
    seller_wait: float = SELLER_WAIT_S,
) -> ImportRun:
    """The console's import: `import_shops` in the sellers' turns (see the module).

    While another process imports one of the sellers, a line says so and the run waits (at
    most `seller_wait` s, then SellerInUse; the operator can stop it meanwhile). The run goes
    on from the bucket state the other left, and leaves its own for the next.
    """

    def shops() -> list[Integration]:
        with ctx.store.read() as view:
            found = [view.integrations.get(i) for i in integration_ids]
        return [i for i in found if i is not None]

    turns = SellerTurns(ctx.data_dir)
    chosen = await asyncio.to_thread(shops)
    await turns.take_async(ctx, chosen, seller_wait, lambda text: report(LogLine(text, INFO)))
    clients: list[SpApiClient] = []

    def on_client(client: SpApiClient) -> None:
        turns.resume(client)
        clients.append(client)

    try:
        return await import_shops(ctx, integration_ids, report, on_client=on_client)
    finally:
        for client in clients:
            turns.save(client)
        turns.release()
