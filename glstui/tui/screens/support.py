"""Support: versions, paths, the secret store, the doctor, the log tail and the audit log.

What an operator (or the helpdesk on the phone with them) needs when something is wrong:
o / g / a switch between the overview (paths, secret store, doctor lines), the end of the
log file (redacted) and the audit log (who changed what; / filters it). c checks the
connections to Amazon and GLS too, e exports a support bundle (no secrets, no buyer data),
l logs out ("Uitloggen"): forget the keys held in memory and quit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from glstui import __version__, config
from glstui.domain.errors import GlstuiError
from glstui.i18n import N_, _, date_text
from glstui.logs import redact
from glstui.services import audit, diagnostics, doctor
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar

VERSION = __version__
LOG_LINES = 200
AUDIT_LIMIT = 500
STATUS_STYLE = {doctor.PASS: "bold green", doctor.WARN: "bold yellow", doctor.FAIL: "bold red"}


def display_path(path: Path) -> str:
    """The path as the operator types it: the home directory as ~."""
    path = Path(path)
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _home(text: str) -> str:
    home = str(Path.home())
    return text.replace(home + "/", "~/") if home not in ("", "/") else text


def doctor_text(checks: list[doctor.Check]) -> Text:
    text = Text()
    for n, check in enumerate(checks):
        if n:
            text.append("\n")
        text.append(check.status, style=STATUS_STYLE.get(check.status, "bold"))
        text.append(f"  {_home(check.what)}")
        if check.todo:
            text.append(f" — {_home(check.todo)}", style="dim")
    return text


class SupportScreen(BaseScreen):
    SECTION = "help"
    HELP = N_(
        "Support: where glstui keeps its data, logs and labels, which secret store holds the "
        "keys, what the doctor finds, the end of the log file and the audit log. c also checks "
        "the connections to Amazon and GLS; e saves a support bundle without secrets or buyer "
        "data to send to your helpdesk; l logs out: the keys held in memory are forgotten and "
        "glstui quits."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("o", "tab('overview')", N_("Overview"), show=False),
        Binding("g", "tab('log')", N_("Log"), show=False),
        Binding("a", "tab('audit')", N_("Audit log"), show=False),
        Binding("slash", "filter", N_("Filter"), key_display="/"),
        Binding("c", "check_connections", N_("Check connections")),
        Binding("e", "export", N_("Export bundle")),
        Binding("l", "log_out", N_("Log out")),
        Binding("r", "refresh", N_("Refresh"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
    ]

    DEFAULT_CSS = """
    SupportScreen TabbedContent {
        height: 1fr;
    }
    SupportScreen TabPane {
        padding: 0;
    }
    SupportScreen #support-overview {
        height: 1fr;
    }
    SupportScreen #support-facts, SupportScreen #support-doctor {
        height: auto;
    }
    SupportScreen #support-doctor-title {
        height: 1;
        margin: 1 0 0 0;
        text-style: bold;
    }
    SupportScreen #support-log-box {
        height: 1fr;
    }
    SupportScreen #support-log {
        height: auto;
    }
    SupportScreen #audit-filter {
        width: 1fr;
    }
    SupportScreen #audit {
        height: 1fr;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.checks: list[doctor.Check] = []
        self.entries: list[audit.AuditEntry] = []
        self.log_lines: list[str] = []
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            yield Static(_("Support"), classes="title")
            with TabbedContent(initial="overview", id="support-tabs"):
                with (
                    TabPane(_("Overview") + " (o)", id="overview"),
                    VerticalScroll(id="support-overview"),
                ):
                    yield Static("", id="support-facts")
                    yield Static(_("Doctor"), id="support-doctor-title")
                    yield Static(_("Checking..."), id="support-doctor")
                with (
                    TabPane(_("Log") + " (g)", id="log"),
                    VerticalScroll(id="support-log-box"),
                ):
                    yield Static("", id="support-log")
                with TabPane(_("Audit log") + " (a)", id="audit-tab"):
                    yield Input(
                        placeholder=_("Filter: action, user or text; esc clears"),
                        id="audit-filter",
                        compact=True,
                    )
                    yield DataTable(id="audit", cursor_type="row", zebra_stripes=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#audit", DataTable)
        table.add_column(_("Time"), key="at", width=11)
        table.add_column(_("User"), key="user", width=10)
        table.add_column(_("Action"), key="action", width=20)
        detail = max(20, self.app.size.width - 2 - 11 - 10 - 20 - 2 * 4 - 1)
        table.add_column(_("Detail"), key="detail", width=detail)
        self.query_one("#audit-filter").display = False
        self.show_facts()
        self.load_log()
        self.load_audit()
        self.run_doctor(network=False)

    def focus_main(self) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == "audit-tab":
            self.query_one("#audit", DataTable).focus()
        elif tabs.active == "log":
            self.query_one("#support-log-box").focus()
        else:
            self.query_one("#support-overview").focus()

    # -- overview -------------------------------------------------------------------------

    def show_facts(self) -> None:
        ctx = self.ctx
        data_dir = Path(ctx.data_dir)
        rows = [
            (_("Version"), f"glstui {VERSION}"),
            (_("Data"), display_path(data_dir)),
            (_("Logs"), display_path(config.log_dir(data_dir, create=False))),
            (_("Labels"), display_path(config.labels_dir(data_dir, create=False))),
            (_("Keys"), getattr(ctx.secrets, "store_name", "?")),
        ]
        if getattr(ctx.secrets, "locked", False):
            rows.append(("", _("locked")))
        width = max(len(label) for label, _value in rows) + 2
        text = Text()
        for n, (label, value) in enumerate(rows):
            if n:
                text.append("\n")
            text.append(label.ljust(width), style="bold")
            text.append(value)
        self.query_one("#support-facts", Static).update(text)

    @work(thread=True, exclusive=True, group="doctor")
    def run_doctor(self, network: bool) -> None:
        checks = doctor.doctor_checks(self.ctx, timeout=doctor.REACH_TIMEOUT, network=network)
        self.app.call_from_thread(self.show_doctor, checks, network)

    def show_doctor(self, checks: list[doctor.Check], network: bool = True) -> None:
        self.checks = checks
        text = doctor_text(checks)
        if not network:
            text.append("\n" + _("Connections to Amazon and GLS not checked: press c."), "dim")
        self.query_one("#support-doctor", Static).update(text)

    # -- log --------------------------------------------------------------------------------

    def load_log(self) -> None:
        directory = config.log_dir(Path(self.ctx.data_dir), create=False)
        lines = [redact(line) for line in diagnostics.log_tail(directory, LOG_LINES)]
        if not lines:
            lines = [_("The log file is empty or missing: {path}").format(path=directory)]
        self.log_lines = lines
        self.query_one("#support-log", Static).update(Text("\n".join(lines)))
        self.query_one("#support-log-box", VerticalScroll).scroll_end(animate=False)

    # -- audit --------------------------------------------------------------------------------

    def load_audit(self) -> None:
        self.entries = audit.entries(self.ctx.store, limit=AUDIT_LIMIT)
        self._fill_audit()

    def _fill_audit(self) -> None:
        table = self.query_one("#audit", DataTable)
        table.clear()
        shown = audit.filter_entries(self.entries, self.filter_text)
        for entry in shown:
            table.add_row(
                date_text(entry.at, year=False),
                Text(entry.user),
                Text(entry.action, style="bold"),
                Text(entry.detail),
                key=entry.id,
            )
        if not shown:
            message = (
                _("Nothing matches '{text}'.").format(text=self.filter_text)
                if self.filter_text
                else _("No changes recorded yet.")
            )
            table.add_row("", "", Text(message, style="dim"), "")

    @on(Input.Changed, "#audit-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._fill_audit()

    @on(Input.Submitted, "#audit-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.query_one("#audit", DataTable).focus()

    # -- actions ------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = "audit-tab" if tab == "audit" else tab
        self.focus_main()

    def action_filter(self) -> None:
        self.action_tab("audit")
        box = self.query_one("#audit-filter", Input)
        box.display = True
        box.focus()

    def action_back(self) -> None:
        box = self.query_one("#audit-filter", Input)
        if self.focused is box or self.filter_text:
            box.value = ""
            self.filter_text = ""
            box.display = False
            self._fill_audit()
            self.query_one("#audit", DataTable).focus()
            return
        super().action_back()

    def action_check_connections(self) -> None:
        self.action_tab("overview")
        self.query_one("#support-doctor", Static).update(
            _("Checking the connections to Amazon and GLS...")
        )
        self.run_doctor(network=True)

    def action_refresh(self) -> None:
        self.show_facts()
        self.load_log()
        self.load_audit()
        self.run_doctor(network=False)

    def action_export(self) -> None:
        self.notify(_("Saving the support bundle..."), timeout=3)
        self._export()

    @work(thread=True, exclusive=True, group="bundle")
    def _export(self) -> None:
        try:
            bundle = diagnostics.export_bundle(self.ctx, [c.line() for c in self.checks] or None)
            audit.record_now(self.ctx.store, audit.SUPPORT_BUNDLE, bundle.path.name)
        except (GlstuiError, OSError) as exc:  # disk full, permissions: say so
            message = (
                _(exc.user_message) if isinstance(exc, GlstuiError) else exc.strerror or str(exc)
            )
            self.app.call_from_thread(
                self.notify,
                _("The support bundle could not be saved: {error}").format(error=message),
                severity="error",
                markup=False,
            )
            return
        self.app.call_from_thread(self._exported, bundle)

    def _exported(self, bundle: diagnostics.Bundle) -> None:
        self.load_audit()
        self.notify(
            _("Support bundle saved: {path} (no keys, no buyer data).").format(
                path=display_path(bundle.path)
            ),
            timeout=15,
            markup=False,
        )

    def action_log_out(self) -> None:
        from glstui.tui.widgets.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                diagnostics.log_out(self.ctx)
                self.app.exit(0)

        self.app.push_screen(
            ConfirmModal(
                _("Log out?"),
                detail=_("glstui forgets the keys it holds in memory and quits."),
                yes=_("Log out"),
            ),
            answered,
        )
