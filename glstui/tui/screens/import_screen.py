"""Import shop shipments ("Importeer shop zendingen"): pick shops, start, watch it live.

The table lists every shop; active, connected ones can be included with space, the others are
dimmed with the reason. `s` starts the import as one exclusive async worker (the service does
the HTTP and the store writes; store writes run in threads), in the sellers' turns that
`glstui import` takes too (a cron run of the same seller first: a line says the import
waits), `x` stops it cleanly (also while it waits): whatever pages were stored stay.
Progress per shop and overall, a batched live log, a summary at the end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.clock import Clock as BarClock
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from glstui.domain.integration import Integration
from glstui.domain.run import ImportRun
from glstui.i18n import N_, _, date_text, plural
from glstui.services import importer as svc
from glstui.services.events import ERROR, INFO, WARNING, Event, LogLine, Progress
from glstui.services.integrations import list_integrations
from glstui.tui import errors
from glstui.tui.messages import StoreChanged
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.log_pane import LogPane
from glstui.tui.widgets.section_bar import SectionBar

GROUP = "import"
PAGE = 100  # orders per searchOrders page
CHECKED = "[x]"
UNCHECKED = "[ ]"
COMPACT_BELOW = 100  # columns: below this the table leaves out the channel column
NAME_WIDTH = 24  # shop names are cut with "…" beyond this (the full name is in Integrations)
# The bars show the latest count this often, not per page: at 2,000 orders/s pages come 20
# times a second, and each repaint of the bars takes UI time a key press then waits for.
PROGRESS_S = 0.25


def local_time(value: datetime | None, short: bool = False) -> str:
    """The language's one date format (glstui.i18n.date_text); `short` leaves the year out."""
    return date_text(value, year=not short)


def short_reason(integ: Integration) -> str:
    if integ.status == svc.NEEDS_REAUTH:
        return _("re-connect")
    if not integ.connected:
        return _("not connected")
    if not integ.active:
        return _("not active")
    return _("ready")


class ShopProgress(Horizontal):
    """One line: shop name, a bar, and the count of orders seen."""

    DEFAULT_CSS = """
    ShopProgress { height: 1; }
    ShopProgress .bar-name { width: 24; text-overflow: ellipsis; text-wrap: nowrap; }
    ShopProgress .bar-count { width: 1fr; padding-left: 1; text-wrap: nowrap; }
    ShopProgress ProgressBar { width: auto; }
    ShopProgress ProgressBar Bar { width: 30; }
    """

    def __init__(self, name: str, scope: str, clock: BarClock | None, percent: bool) -> None:
        super().__init__(id=f"bar-{scope}" if scope else "bar-overall")
        self.shop = name
        self.scope = scope
        self.bar = ProgressBar(show_eta=False, show_percentage=percent, clock=clock)
        self.count = Label("", classes="bar-count")

    def compose(self) -> ComposeResult:
        yield Label(self.shop, classes="bar-name", markup=False)
        yield self.bar
        yield self.count


class ImportScreen(BaseScreen):
    SECTION = "import"
    HELP = N_(
        "Import the Amazon orders of your shops. Space includes or leaves out the "
        "highlighted shop, a includes all, s starts the import and x stops it (what was "
        "stored stays). Only active, connected shops can be imported; a dimmed shop says why. "
        "Orders cancelled on Amazon are marked cancelled and shown in red: do not ship them."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("s", "start", N_("Start import")),
        Binding("x", "stop", N_("Stop")),
        Binding("space", "include", N_("Include"), key_display="space", id="import.include"),
        Binding("a", "toggle_all", N_("All")),
        Binding("l", "focus_log", N_("Log"), show=False),
        Binding("r", "refresh", N_("Refresh"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
    ]

    DEFAULT_CSS = """
    ImportScreen #shops { height: auto; max-height: 10; }
    ImportScreen #progress { height: auto; max-height: 6; padding: 0 1; }
    ImportScreen #why { height: 1; color: $text-muted; padding: 0 1; }
    ImportScreen #summary { height: auto; padding: 0 1; }
    ImportScreen #summary.-failed { color: $error; text-style: bold; }
    ImportScreen #summary.-ok { color: $success; text-style: bold; }
    ImportScreen LogPane { min-height: 4; }
    """

    #: the clock the progress bars animate with (tests put a MockClock here)
    bar_clock: BarClock | None = None

    def __init__(self) -> None:
        super().__init__()
        self.integrations: list[Integration] = []
        self.included: set[str] = set()
        self._seen_importable: set[str] = set()
        self.running = False
        self.last_run: ImportRun | None = None
        self._bars: dict[str, ShopProgress] = {}
        self._unshown: dict[str, Progress] = {}  # the latest progress per bar, not yet shown
        self.compact = False

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            yield Static(_("Import shop shipments"), classes="title")
            yield DataTable(id="shops", cursor_type="row", zebra_stripes=False)
            yield Static("", id="why")
            yield VerticalScroll(id="progress")
            # 4 batches a second: while the log grows, each batch re-lays out the screen
            log = LogPane(id="log", flush_interval=PROGRESS_S)
            log.border_title = _("Log")
            yield log
            yield Static("", id="summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#shops", DataTable)
        # At 80 columns every column must fit: the channel column (always Amazon) goes and
        # the last import leaves the year out.
        self.compact = self.app.size.width < COMPACT_BELOW
        if not self.compact:
            table.add_column(_("Shop"), key="shop")
        table.add_column(_("Shop name"), key="name")
        table.add_column(_("Import"), key="include")
        # Fixed width: the column must not depend on when the table re-measures after an import.
        table.add_column(_("Last import"), key="last", width=11 if self.compact else 16)
        table.add_column(_("New"), key="new")
        table.add_column(_("Status"), key="status")
        self.query_one("#progress").display = False
        self.set_interval(PROGRESS_S, self._show_progress, name="import-progress")
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        if not self.running:
            self.reload()

    @on(StoreChanged)
    def _store_changed(self) -> None:
        # The app's store check can reach a screen that is shown but whose on_mount has not
        # yet made the table's columns (keys typed fast: a row then had more values than
        # columns); on_mount loads it anyway.
        if self.query_one("#shops", DataTable).columns:
            self.on_screen_resume()

    def focus_main(self) -> None:
        self.query_one("#shops", DataTable).focus()

    # -- data -----------------------------------------------------------------------------

    def reload(self) -> None:
        self.integrations = list_integrations(self.ctx.store)
        importable = {i.id for i in self.integrations if i.importable}
        # Shops that became importable since the last look (new, re-added, connected again)
        # are included; gone ones dropped; one the operator left out stays out.
        self.included = (self.included & importable) | (importable - self._seen_importable)
        self._seen_importable = importable
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#shops", DataTable)
        current = self.current_id()
        table.clear()
        for integ in self.integrations:
            dim = "" if integ.importable else "dim"
            if integ.importable:
                mark = CHECKED if integ.id in self.included else UNCHECKED
            else:
                mark = " - "
            status_style = "dim" if integ.importable else "dim italic"
            name = integ.shop_name
            if len(name) > NAME_WIDTH:
                name = name[: NAME_WIDTH - 1] + "…"
            channel = "Amazon" if integ.region == "EU" else f"Amazon {integ.region}"
            if self.compact and integ.region != "EU":
                name = f"{name[: NAME_WIDTH - 4]} ({integ.region})"
            cells = [] if self.compact else [Text(channel, style=dim)]
            last = local_time(integ.last_import_at, short=self.compact)
            table.add_row(
                *cells,
                Text(name, style=dim),
                Text(mark, style="bold" if integ.id in self.included else dim),
                Text(last, style=dim),
                Text(
                    str(integ.last_import_new) if integ.last_import_at else "",
                    style=dim,
                    justify="right",
                ),
                Text(short_reason(integ), style=status_style if dim else ""),
                key=integ.id,
            )
        ids = [i.id for i in self.integrations]
        if current is None:  # first fill: start on the first shop that can be imported
            current = next((i.id for i in self.integrations if i.importable), None)
        if current in ids:
            table.move_cursor(row=ids.index(current))
        self._explain()

    def current_id(self) -> str | None:
        table = self.query_one("#shops", DataTable)
        if table.row_count == 0:
            return None
        row_key, _col = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def current(self) -> Integration | None:
        wanted = self.current_id()
        return next((i for i in self.integrations if i.id == wanted), None)

    def _explain(self) -> None:
        why = self.query_one("#why", Static)
        integ = self.current()
        if not self.integrations:
            why.update(_("No shops yet: press 1 and add an Amazon shop first."))
        elif integ is not None and not integ.importable:
            why.update(Text(svc.not_importable_reason(integ)))
        else:
            n = len(self.included)
            why.update(
                plural(
                    n,
                    N_("{n} shop included. s starts the import."),
                    N_("{n} shops included. s starts the import."),
                )
            )

    @on(DataTable.RowHighlighted, "#shops")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._explain()

    # -- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("start", "include", "toggle_all"):
            return None if self.running else True
        if action == "stop":
            return True if self.running else None
        return True

    def action_include(self) -> None:
        integ = self.current()
        if integ is None or self.running:
            return
        if not integ.importable:
            self.notify(svc.not_importable_reason(integ), severity="warning", markup=False)
            return
        self.included ^= {integ.id}
        self._fill()

    def action_toggle_all(self) -> None:
        importable = {i.id for i in self.integrations if i.importable}
        self.included = set() if self.included >= importable else importable
        self._fill()

    def action_refresh(self) -> None:
        if not self.running:
            self.reload()

    def action_focus_log(self) -> None:
        self.query_one(LogPane).focus()

    async def action_start(self) -> None:
        if self.running:
            return
        ids = [i.id for i in self.integrations if i.id in self.included]
        if not ids:
            self.notify(
                _("No shop included: highlight a shop and press space, then s."),
                severity="warning",
            )
            return
        self.running = True  # set first: a second `s` during the await does nothing
        await self._prepare_bars(ids)
        self.refresh_bindings()
        self.query_one("#summary", Static).update("")
        self.run_import(ids)

    def action_stop(self) -> None:
        if not self.running:
            return
        self.query_one(LogPane).add(_("Stopping the import..."), WARNING, self._now())
        self.workers.cancel_group(self, GROUP)

    # -- the run --------------------------------------------------------------------------

    async def _prepare_bars(self, ids: list[str]) -> None:
        """New bars for this run; the old ones must be gone first (their ids are reused)."""
        box = self.query_one("#progress", VerticalScroll)
        await box.remove_children()
        names = {i.id: i.shop_name for i in self.integrations}
        self._unshown.clear()
        self._bars = {"": ShopProgress(_("All shops"), "", self.bar_clock, percent=True)}
        for iid in ids:
            self._bars[iid] = ShopProgress(names[iid], iid, self.bar_clock, percent=False)
        await box.mount_all(self._bars.values())
        self._bars[""].bar.update(total=len(ids), progress=0)
        box.display = True

    @work(exclusive=True, group=GROUP, exit_on_error=False)  # see on_worker_state_changed
    async def run_import(self, ids: list[str]) -> ImportRun:
        return await svc.import_console(self.ctx, ids, self.report_event)

    def _now(self) -> str:
        return self.ctx.clock.now().astimezone().strftime("%H:%M:%S")

    def report_event(self, event: Event) -> None:
        """The import's reporter: runs on the UI loop (the worker is async)."""
        if isinstance(event, LogLine):
            self.query_one(LogPane).add(event.text, event.level, self._now())
        elif isinstance(event, Progress):
            self._unshown[event.scope] = event

    def _show_progress(self) -> None:
        """Show the latest progress of each bar that moved since the last look."""
        unshown, self._unshown = self._unshown, {}
        for event in unshown.values():
            self._progress(event)

    def _progress(self, event: Progress) -> None:
        row = self._bars.get(event.scope)
        if row is None:
            return
        if event.scope == "":
            row.bar.update(total=event.total, progress=event.done)
            row.count.update(
                _("{done} of {total} shops").format(done=event.done, total=event.total or 0),
                layout=False,  # the label's width is the row's rest: its size never changes
            )
            return
        if event.total is None:
            # Amazon does not say how many orders will come; more pages follow, so show the
            # bar short of full by one page instead of an animated "unknown" bar.
            row.bar.update(total=event.done + PAGE, progress=event.done)
        else:
            row.bar.update(total=max(event.total, 1), progress=event.total)
        row.count.update(_("{n} orders").format(n=event.done), layout=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        self.running = False
        self._show_progress()  # the bars end on the run's last counts
        self.refresh_bindings()
        log = self.query_one(LogPane)
        summary = self.query_one("#summary", Static)
        summary.remove_class("-failed", "-ok")
        if event.state == WorkerState.SUCCESS:
            run = event.worker.result
            assert isinstance(run, ImportRun)  # what run_import returns
            self.last_run = run
            text = svc.summary_text(run)
            failed = run.failed
        elif event.state == WorkerState.CANCELLED:
            text = _("Import stopped: the pages stored so far are kept.")
            failed = False
        else:
            error = event.worker.error or RuntimeError("no error recorded")
            errors.log_error(error)  # the one path: a bug's traceback goes to the log
            why = errors.operator_message(error, errors.log_file(self.ctx))
            text = _("Import could not run: {why}").format(why=why)
            log.add(text, ERROR, self._now())
            failed = True
        log.flush()
        summary.update(Text(text))
        summary.add_class("-failed" if failed else "-ok")
        if failed or not self.is_current:
            # The summary line says it here; a toast would cover the end of the log. It is
            # for a failure, and for an operator who went to another screen meanwhile.
            self.notify(
                text,
                title=_("Import"),
                severity="error"
                if failed
                else ("warning" if event.state != WorkerState.SUCCESS else "information"),
                markup=False,
                timeout=8,
            )
        self.reload()

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Start import"), _("Import the included shops (s)"), self.action_start),
            (
                _("Stop import"),
                _("Stop the running import; stored pages stay (x)"),
                self.action_stop,
            ),
        ]


__all__ = ["INFO", "ImportScreen"]
