"""The glstui console: sections switched with 1-7 / F2-F8, help on ?/F1, palette on ctrl+p.

The sections follow the portal's menu (glstui/tui/widgets/section_bar.py): Ship (2 Import,
3 Orders), Statistics (4), Settings (1 Integrations, 5 Keys, 7 General: printer, sender,
label format, import window, language, GLS test/live), Support (6) and Log out (q). The keys
1-6 kept their sections; 7 is new.

Each section is a Textual mode with its own screen stack, so a half-edited form survives a
look at another section. Once the keys are unlocked the app runs the start-up work
(services.startup: purge, archive, recorded leftovers, due tracking codes) in a worker, and
every DELIVERY_INTERVAL_S it sends the tracking codes that are due, one delivery at a time
(`outbox_lock`, shared with the Orders screen's label runs). Background lines are kept in
`activity` (the Orders screen's log shows them); a toast only when something happened.
The app holds the AppContext (`app.ctx`); screens take everything from it. Settings for
SSH use: no animations, the terminal's own ANSI colours, no blinking cursors (also what keeps
snapshots deterministic).
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Input, TextArea
from textual.worker import Worker, WorkerFailed, WorkerState

from glstui.domain.errors import GlstuiError
from glstui.i18n import N_, _, key_display, plural, set_language
from glstui.services.events import ERROR, INFO, Event, LogLine
from glstui.tui import errors
from glstui.tui.messages import ActivityAdded, OutboxChanged, StoreChanged
from glstui.tui.screens.base import translate_bindings
from glstui.tui.store_watch import POLL_S, StoreWatch
from glstui.tui.widgets.section_bar import SECTIONS, menu_group, section_title

DEFAULT_THEME = "ansi-dark"
DELIVERY_INTERVAL_S = 60.0
ACTIVITY_MAX = 500


def _lazy_screen(module: str, cls: str, mode: str) -> Callable[[], Screen[Any]]:
    """Import a section screen only when first shown; until it exists say it is coming."""

    def make() -> Screen[Any]:
        try:
            screen_cls = getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError) as err:
            if isinstance(err, ImportError) and err.name not in (module, None):
                raise  # the module exists but is broken: show the real error
            from glstui.tui.screens.coming import ComingScreen

            return ComingScreen(mode)
        return screen_cls()

    return make


def _screen(module: str, cls: str) -> Callable[[], Screen[Any]]:
    def make() -> Screen[Any]:
        return getattr(importlib.import_module(module), cls)()

    return make


class GlsApp(errors.ReportErrors, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "glstui"
    ENABLE_COMMAND_PALETTE = True

    MODES: ClassVar[dict[str, Any]] = {
        "integrations": _screen("glstui.tui.screens.integrations", "IntegrationsScreen"),
        "import": _lazy_screen("glstui.tui.screens.import_screen", "ImportScreen", "import"),
        "orders": _lazy_screen("glstui.tui.screens.orders", "OrdersScreen", "orders"),
        "statistics": _screen("glstui.tui.screens.statistics", "StatisticsScreen"),
        "keys": _screen("glstui.tui.screens.keys", "KeysScreen"),
        "help": _screen("glstui.tui.screens.help", "HelpScreen"),
        "settings": _screen("glstui.tui.screens.settings", "SettingsScreen"),
    }
    DEFAULT_MODE = "integrations"

    BINDINGS: ClassVar[list[Any]] = [
        *(
            Binding(
                key,
                f"section('{mode}')",
                N_(title),
                show=False,
                id=f"section.{mode}",
                priority=True,  # see check_action
            )
            for mode, key, title in SECTIONS
        ),
        *(
            Binding(f"f{n + 2}", f"section('{mode}')", N_(title), show=False, id=f"fkey.{mode}")
            for n, (mode, _key, title) in enumerate(SECTIONS)
        ),
        Binding("f1,question_mark", "help", N_("Help"), key_display="?", id="help"),
        Binding("q", "quit_app", N_("Log out"), show=False, id="quit"),
    ]

    def __init__(self, ctx: Any, *, lang: str | None = None) -> None:
        """`lang` (the CLI's --lang) wins over the language chosen in Settings, which wins
        over the context's (LANG)."""
        store = getattr(ctx, "store", None)
        stored = ctx.settings().language if store is not None else ""
        set_language(lang or stored or getattr(ctx, "lang", None))
        super().__init__()
        translate_bindings(self)
        self.ctx = ctx
        self.animation_level = "none"
        self.theme = DEFAULT_THEME
        self.return_code_on_exit = 0
        self.outbox_lock = asyncio.Lock()  # one Amazon delivery (or label run) at a time
        self.activity: deque[tuple[int, str, str, str]] = deque(maxlen=ACTIVITY_MAX)
        self._activity_seq = 0
        self._started = False
        self._due_timer: Any = None
        self.store_watch = StoreWatch(store.path) if store is not None else None
        self.gls_environment = self._stored_environment()
        # The section bars follow a change of the GLS environment (Settings, Keys, another
        # operator) through this signal: every screen's bar, not only the shown one.
        self.environment_signal: Signal[str] = Signal(self, "gls-environment")

    # -- start ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.store_watch is not None:
            self.set_interval(POLL_S, self.check_store, name="store-watch")
        if self.secrets_locked():
            from glstui.tui.screens.login import LoginScreen

            self.push_screen(LoginScreen(), lambda _result: self.start_background())
            return
        self.start_background()

    def start_background(self) -> None:
        """Start-up work once, then a delivery of due tracking codes every minute."""
        if self._started or self.secrets_locked():
            return
        self._started = True
        self.run_worker(self._start_up(), group="startup")
        self.set_interval(DELIVERY_INTERVAL_S, self.deliver_due)

    # -- background work ------------------------------------------------------------------

    def _now_text(self) -> str:
        return self.ctx.clock.now().astimezone().strftime("%H:%M:%S")

    def add_activity(self, text: str, level: str = INFO) -> None:
        """Keep a background line for the Orders log (call on the UI thread)."""
        self._activity_seq += 1
        self.activity.append((self._activity_seq, self._now_text(), level, text))
        self.screen.post_message(ActivityAdded())

    def background_report(self, event: Event) -> None:
        """A Reporter for background work: safe from the UI loop and from threads."""
        if not isinstance(event, LogLine):
            return
        if threading.get_ident() == self._thread_id:
            self.add_activity(event.text, event.level)
        else:
            self.call_from_thread(self.add_activity, event.text, event.level)

    async def _start_up(self) -> None:
        from glstui.services import startup

        async with self.outbox_lock:
            result = await startup.on_start(self.ctx, self.background_report)
        if result.needs_attention:
            self._toast_start(result)
            self._outbox_changed()
        self._schedule_due()

    def _toast_start(self, result: Any) -> None:
        parts = []
        if result.recovered:
            parts.append(
                plural(
                    result.recovered,
                    N_("{n} label from before the stop recorded"),
                    N_("{n} labels from before the stop recorded"),
                )
            )
        if result.uncertain:
            parts.append(
                plural(
                    result.uncertain,
                    N_("{n} order may already have a label at GLS: check it"),
                    N_("{n} orders may already have a label at GLS: check them"),
                )
            )
        if result.sent:
            # worded as the Orders screen's own toast, which says "(s)" too
            parts.append(
                plural(
                    result.sent,
                    N_("{n} tracking code sent to Amazon"),
                    N_("{n} tracking codes sent to Amazon"),
                )
            )
        if result.refused:
            parts.append(_("{n} refused by Amazon").format(n=result.refused))
        parts.extend(result.problems)
        bad = result.problems or result.refused or result.uncertain
        self.notify(
            "\n".join(parts) + "\n" + _("Details: Orders (3), l shows the log."),
            title=_("Start-up"),
            severity="warning" if bad else "information",
            timeout=12 if bad else 6,
            markup=False,
        )

    def deliver_due(self) -> None:
        """Send the tracking codes that are due, unless a delivery or label run is going on."""
        if self.secrets_locked() or self.outbox_lock.locked():
            return
        if any(w.group == "outbox" and not w.is_finished for w in self.workers):
            return
        self.run_worker(self._deliver_due(), group="outbox", exclusive=True)

    async def _deliver_due(self) -> None:
        from glstui.services import outbox
        from glstui.services.context import MissingCredentials

        ctx = self.ctx
        due = await asyncio.to_thread(outbox.next_due, ctx.store, ctx.clock)
        if due is None or due > ctx.clock.now() or self.outbox_lock.locked():
            self._schedule_due()
            return
        lines: list[LogLine] = []
        try:
            async with self.outbox_lock:
                result = await outbox.deliver_pending(ctx, lines.append)  # type: ignore[arg-type]
        except MissingCredentials:
            return  # the Keys screen and the Orders screen say what is missing
        except GlstuiError as exc:  # Amazon down, store busy: the next tick tries again
            error = _(exc.user_message) if exc.user_message else type(exc).__name__
            self.add_activity(
                _("Sending tracking codes failed: {error}").format(error=error), ERROR
            )
            return
        if result.attempted:
            for line in lines:
                if isinstance(line, LogLine):
                    self.add_activity(line.text, line.level)
            self._outbox_changed()
            if result.failed:
                self.notify(
                    plural(
                        result.failed,
                        N_("{n} tracking code refused by Amazon: see Orders (3)."),
                        N_("{n} tracking codes refused by Amazon: see Orders (3)."),
                    ),
                    severity="warning",
                    timeout=12,
                    markup=False,
                )
            elif result.sent:
                self.notify(
                    plural(
                        result.sent,
                        N_("{n} tracking code sent to Amazon."),
                        N_("{n} tracking codes sent to Amazon."),
                    ),
                    markup=False,
                )
        self._schedule_due()

    def _schedule_due(self) -> None:
        """When a code falls due before the next minute's tick, deliver it then."""
        self.run_worker(self._schedule_due_worker(), group="outbox-timer", exclusive=True)

    async def _schedule_due_worker(self) -> None:
        from glstui.services import outbox

        due = await asyncio.to_thread(outbox.next_due, self.ctx.store, self.ctx.clock)
        if self._due_timer is not None:
            self._due_timer.stop()
            self._due_timer = None
        if due is None:
            return
        delay = (due - self.ctx.clock.now()).total_seconds()
        if 0 < delay < DELIVERY_INTERVAL_S:
            self._due_timer = self.set_timer(max(1.0, delay), self.deliver_due)

    def _outbox_changed(self) -> None:
        self.screen.post_message(OutboxChanged())

    def check_store(self) -> None:
        """Tell the shown screen when the store changed (see glstui.tui.store_watch)."""
        if self.store_watch is None or not self.store_watch.changed():
            return
        # off the UI thread: at 10k orders a read of the hot file costs a parse
        self.run_worker(self._read_environment, thread=True, group="environment", exclusive=True)
        self.screen.post_message(StoreChanged())

    def _read_environment(self) -> None:
        environment = self._stored_environment()
        self.call_from_thread(self.show_environment, environment)

    def _stored_environment(self) -> str:
        store = getattr(self.ctx, "store", None)
        return self.ctx.settings().gls_environment if store is not None else "test"

    def environment_changed(self) -> None:
        """Re-read the GLS environment; every section bar shows a change at once."""
        self.show_environment(self._stored_environment())

    def show_environment(self, environment: str) -> None:
        if environment != self.gls_environment:
            self.gls_environment = environment
            self.environment_signal.publish(environment)

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.check_store()

    def secrets_locked(self) -> bool:
        secrets = getattr(self.ctx, "secrets", None)
        return bool(getattr(secrets, "locked", False))

    # -- the one error path (glstui.tui.errors) ------------------------------------------

    def report_error(self, err: BaseException) -> None:
        """Toast and log an error an action, handler or worker could not handle itself."""
        errors.report(self, err)

    async def _dispatch_action(self, namespace: Any, action_name: str, params: Any) -> bool:
        """Every key, palette entry and click action: an error is reported, the app goes on."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as err:
            self.report_error(err)
            return True

    def _handle_exception(self, error: Exception) -> None:
        """What still reaches Textual: a worker's error or a failed timer/callback is reported
        and the app goes on; an error that ended a message loop (Textual's own widgets) is
        logged, then the app exits as Textual does, but without local variables."""
        if isinstance(error, WorkerFailed):
            self.report_error(error.error)
            return
        if errors.caller_keeps_running():
            self.report_error(error)
            return
        errors.log_error(error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual's exit traceback, without local variables (they hold buyer data)."""
        self.bell()
        self._exit_renderables.append(errors.exit_traceback(self.console))
        self._close_messages_no_wait()

    # -- app-wide defaults ----------------------------------------------------------------

    @on(DescendantFocus)
    def _no_blinking_cursor(self, event: DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, Input | TextArea) and widget.cursor_blink:
            widget.cursor_blink = False

    # -- actions --------------------------------------------------------------------------

    quitting = False

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Keys typed after `q` (`q2` arrives as one burst) must not open screens in a
        closing app: their on_mount would query widgets that are never composed."""
        self.quitting = True
        super().exit(*args, **kwargs)

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes after `q` (`qn` as one burst) go nowhere: a screen key would
        otherwise push a screen that is never composed (NoMatches in its on_mount)."""
        if self.quitting and isinstance(event, events.Key | events.Paste):
            return
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """1-7 are priority keys: handled in the order typed, before a screen that is still
        being built sees them (`5 6 s` typed fast used to lose the 6 or the s). In a text
        field they are the digits typed."""
        if self.quitting:
            return False
        if action != "section":
            return True
        return not (self.secrets_locked() or isinstance(self.focused, Input | TextArea))

    def action_section(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_command_palette(self) -> None:
        """ctrl+p: Textual's palette, minus its crash on page keys typed right after ctrl+p."""
        from glstui.tui.widgets.palette import Palette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(Palette(id="--command-palette"))

    def action_help(self) -> None:
        from glstui.tui.screens.help import HelpModal

        if isinstance(self.screen, HelpModal):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpModal(self.screen))

    def action_support(self) -> None:
        from glstui.tui.screens.support import SupportScreen

        if not isinstance(self.screen, SupportScreen):
            self.push_screen(SupportScreen())

    log_out_on_exit = False

    def action_quit_app(self) -> None:
        """q, the portal's "Uitloggen": quit, and (in run_app, after the screen is gone) log
        out as Support's l does: the keys held in memory are forgotten, the audit log says
        who left when. ctrl+q quits at once, also while typing."""
        screen = self.screen
        unsaved = getattr(screen, "has_unsaved_changes", None)
        if callable(unsaved) and unsaved():
            from glstui.tui.widgets.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self.log_out_on_exit = True
                    self.exit(0)

            self.push_screen(
                ConfirmModal(_("Quit without saving your changes?"), danger=True), answered
            )
            return
        self.log_out_on_exit = True
        self.exit(0)

    # -- command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """ctrl+p: every key of the shown screen by name (the same list as ?), the screen's
        extra commands, every section switch, then help, support, theme and log out.

        Actions of other screens are not listed: they act on that screen's selection (the
        orders ticked, the shop under the cursor), so they start from that screen."""
        from glstui.tui.screens.help import screen_keys

        yield from self._section_commands()
        titles: set[str] = set()
        extra = getattr(screen, "palette_commands", None)
        if callable(extra):
            for title, help_text, callback in extra():
                titles.add(title)
                yield SystemCommand(title, help_text, callback)
        for label, description, action, node in screen_keys(screen, with_app=False):
            if description in titles:
                continue
            titles.add(description)
            yield SystemCommand(
                description,
                _("Key {key}").format(key=label),
                partial(self.run_action, action, node),
            )
        yield SystemCommand(_("Help"), _("Keys and help for this screen (?, F1)"), self.action_help)
        yield SystemCommand(
            _("Support"),
            _("Version, paths, checks, log, audit log, diagnostics bundle (6, then s)"),
            self.action_support,
        )
        yield SystemCommand(
            _("Change theme"),
            _("Pick another colour theme (default: the terminal's own colours)"),
            self.action_change_theme,
        )
        yield SystemCommand(
            _("Log out"),
            _("Forget the keys held in memory and quit glstui (q; ctrl+q quits at once)"),
            self.action_quit_app,
        )

    def _section_commands(self) -> Iterable[SystemCommand]:
        for mode, key, title in SECTIONS:
            group = menu_group(mode)
            yield SystemCommand(
                _("Go to {section}").format(section=_(title)),
                _("{group}: switch to {section} (key {key}, F{f})").format(
                    group=group, section=_(title), key=key, f=int(key) + 1
                ),
                partial(self.action_section, mode),
            )

    def get_key_display(self, binding: Binding) -> str:
        """Key names in the operator's language ("spatie" in Dutch)."""
        return key_display(super().get_key_display(binding))

    def section_name(self, mode: str) -> str:
        return section_title(mode)


def run_app(ctx: Any, mouse: bool = True, lang: str | None = None) -> int:
    """Run the console until the operator quits; returns the exit code for the CLI.
    `lang` is --lang as typed (None: the Settings language, else LANG)."""
    app = GlsApp(ctx, lang=lang)
    app.run(mouse=mouse)
    if app.log_out_on_exit:
        from glstui.services.diagnostics import log_out

        log_out(ctx)
    code = app.return_code
    return int(code) if isinstance(code, int) else 0
