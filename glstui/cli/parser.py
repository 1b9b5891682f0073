"""The command line: every subcommand's --help says what it does and what its exit codes mean.

The texts are built when the parser is (after set_language), so --help follows --lang.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from glstui import __version__
from glstui.i18n import _

WIDTH = 78  # 80-column terminals: argparse's raw texts are not wrapped for us


def _exit_codes(*lines: str) -> str:
    wrapped = (
        textwrap.fill(line, WIDTH, initial_indent="  ", subsequent_indent="     ") for line in lines
    )
    return _("Exit codes:") + "\n" + "\n".join(wrapped)


def _no_data() -> str:
    return _(
        "On a data directory without glstui data it refuses with exit 2 and creates nothing: "
        "start glstui (the console) once to set up a new installation."
    )


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help=_(
            "where the store, labels and logs live (default: $GLSTUI_HOME or the user data dir)"
        ),
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help=_("run against the built-in sandbox with a throwaway data dir"),
    )
    common.add_argument(
        "--sandbox",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=_(
            "talk to a running 'glstui sandbox' at URL instead of Amazon and GLS "
            "(default: $GLSTUI_SANDBOX_URL); with --demo, instead of starting a sandbox"
        ),
    )
    common.add_argument(
        "--lang",
        choices=("en", "nl"),
        default=argparse.SUPPRESS,
        help=_("language (default: LANG)"),
    )
    return common


def _sub(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    common: argparse.ArgumentParser,
    summary: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        parents=[common],
        help=summary,
        description=textwrap.fill(description, WIDTH),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="glstui",
        description=_("Connect Amazon shops to GLS: import orders, create labels, send tracking."),
        epilog=_exit_codes(_("0  all fine"), _("1  some part failed"), _("2  nothing could run")),
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"glstui {__version__}")
    parser.add_argument("--no-mouse", action="store_true", help=_("ignore the mouse (SSH clients)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    doctor = _sub(
        sub,
        "doctor",
        common,
        _("check paths, secret store, store, endpoints"),
        _(
            "Check what glstui needs, one line per check (PASS, WARN or FAIL and what to do): "
            "the data, log and label directories, the store file and its records, the key "
            "store and which keys are set, free disk space, and whether Amazon and GLS answer "
            "and accept the keys. It changes and creates nothing, not even a log file. Its "
            "record check reads each order's stored shape; --full decodes every record too "
            "(seconds on a big backlog)."
        ),
        _exit_codes(
            _("0  no check failed (warnings allowed)"),
            _("1  some check failed"),
            _("2  the data directory cannot be used at all (a file)"),
        ),
    )
    doctor.add_argument(
        "--full", action="store_true", help=_("decode every stored record (slower)")
    )
    imp = _sub(
        sub,
        "import",
        common,
        _("import orders of the active shops"),
        _(
            "Import the new and changed orders of every active, connected shop (or only the "
            "shops named with --shop), as the Import screen does: for cron or a systemd "
            "timer. Progress goes to stdout, what to do about a failure to stderr."
        )
        + " "
        + _no_data(),
        _exit_codes(
            _("0  every shop imported"),
            _("1  some shop failed (the others were imported)"),
            _(
                "2  nothing could run: no glstui data, no importable shop, keys not set up "
                "or locked, the data file busy or unreadable"
            ),
        ),
    )
    imp.add_argument(
        "--shop", action="append", default=[], metavar="NAME", help=_("only this shop (repeatable)")
    )
    _sub(
        sub,
        "push",
        common,
        _("send pending tracking codes to Amazon"),
        _(
            "Send the tracking codes of labelled orders that Amazon has not been told yet "
            "(the outbox), after recording labels a stopped run left behind."
        )
        + " "
        + _no_data(),
        _exit_codes(
            _("0  every tracking code is with Amazon"),
            _("1  some are left: waiting for a retry or refused by Amazon"),
            _("2  nothing could run: no glstui data, keys missing or locked, the data file busy"),
        ),
    )
    _sub(
        sub,
        "purge",
        common,
        _("remove buyer data of orders shipped over 30 days ago"),
        _(
            "Remove buyer names, addresses and phone numbers (and their label files) of "
            "orders done more than the retention period ago (at most 30 days), as Amazon's "
            "data protection policy asks. glstui also does this at every start."
        )
        + " "
        + _no_data(),
        _exit_codes(
            _("0  done (also when nothing was due)"),
            _("1  the purge failed (the message says why)"),
            _("2  nothing could run: no glstui data, the data file busy or unreadable"),
        ),
    )
    # Listed here for --help; its own options are parsed by glstui.sandbox.cli (see main).
    sub.add_parser("sandbox", help=_("run the local Amazon + GLS simulation (--help: its options)"))
    return parser


def lang_in(argv: list[str]) -> str | None:
    """The --lang value in argv (argparse checks it later), else None (LANG decides)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None
