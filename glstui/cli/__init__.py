"""Entry point: `glstui` starts the TUI; subcommands run the same use cases headless.

    glstui [--data-dir DIR] [--demo] [--lang en|nl] [--no-mouse]
    glstui --version
    glstui doctor            check paths, secret store, store file, endpoints
    glstui import [--shop N] import the active shops' orders (cron / systemd timer)
    glstui push              send pending tracking confirmations to Amazon
    glstui purge             remove buyer data of orders shipped more than 30 days ago
    glstui sandbox [...]     run the local Amazon + GLS simulation on its own

Exit codes: 0 all fine, 1 some part failed, 2 nothing could run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from glstui import __version__
from glstui.i18n import _, set_language

if TYPE_CHECKING:
    from glstui.services.context import AppContext


def _parser() -> argparse.ArgumentParser:
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
        "--lang",
        choices=("en", "nl"),
        default=argparse.SUPPRESS,
        help=_("language (default: LANG)"),
    )

    parser = argparse.ArgumentParser(
        prog="glstui",
        description=_("Connect Amazon shops to GLS: import orders, create labels, send tracking."),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"glstui {__version__}")
    parser.add_argument("--no-mouse", action="store_true", help=_("ignore the mouse (SSH clients)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "doctor", parents=[common], help=_("check paths, secret store, store, endpoints")
    )
    imp = sub.add_parser("import", parents=[common], help=_("import orders of the active shops"))
    imp.add_argument(
        "--shop", action="append", default=[], metavar="NAME", help=_("only this shop (repeatable)")
    )
    sub.add_parser("push", parents=[common], help=_("send pending tracking codes to Amazon"))
    sub.add_parser(
        "purge", parents=[common], help=_("remove buyer data of orders shipped over 30 days ago")
    )
    # Listed here for --help; its own options are parsed by glstui.sandbox.cli (see main).
    sub.add_parser("sandbox", help=_("run the local Amazon + GLS simulation (--help: its options)"))
    return parser


def _lang_in(argv: list[str]) -> str | None:
    """The --lang value in argv (argparse checks it later), else None (LANG decides)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:
        from glstui.sandbox.cli import run

        return run(argv[1:])
    set_language(_lang_in(argv))  # before parsing: --help and start-up failures in that language
    args = _parser().parse_args(argv)

    from glstui.services.context import ContextError, build_context

    try:
        if getattr(args, "demo", False):
            from glstui.demo import build_demo_context

            ctx = build_demo_context(getattr(args, "lang", None))
        else:
            ctx = build_context(
                data_dir=getattr(args, "data_dir", None),
                lang=getattr(args, "lang", None),
                logs_required=getattr(args, "command", None) != "doctor",
            )
    except ContextError as exc:
        print(f"glstui: {exc.user_message}", file=sys.stderr)
        return 2
    from glstui.store import StoreError

    try:
        with ctx:
            return _run(args, ctx)
    except StoreError as exc:
        print(f"glstui: {exc.user_message}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.command == "doctor":
        from glstui.cli.doctor import run_doctor

        return run_doctor(ctx)
    if args.command == "import":
        from glstui.cli.imports import run_import

        return run_import(ctx, args.shop)
    if args.command == "push":
        from glstui.cli.push import run_push

        return run_push(ctx)
    if args.command == "purge":
        from glstui.cli.purge import run_purge

        return run_purge(ctx)
    from glstui.tui.app import run_app

    return run_app(ctx, mouse=not args.no_mouse)
