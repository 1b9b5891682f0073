"""Entry point: `glstui` starts the TUI; subcommands run the same use cases headless.

    glstui [--data-dir DIR] [--demo] [--sandbox URL] [--lang en|nl] [--no-mouse]
    glstui --version
    glstui doctor [--full]   check paths, secret store, store file, endpoints
    glstui import [--shop N] import the active shops' orders (cron / systemd timer)
    glstui push              send pending tracking confirmations to Amazon
    glstui purge             remove buyer data of orders shipped more than 30 days ago
    glstui sandbox [...]     run the local Amazon + GLS simulation on its own

Exit codes: 0 all fine, 1 some part failed, 2 nothing could run. The data dir is checked
before anything is created in it (glstui/cli/datadir.py: only the console sets up a new
installation). `--sandbox URL` (or $GLSTUI_SANDBOX_URL) sends every Amazon and GLS call to a
running `glstui sandbox`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from glstui import config
from glstui.cli.datadir import refusal
from glstui.cli.parser import build_parser, lang_in
from glstui.i18n import _, set_language

if TYPE_CHECKING:
    from glstui.services.context import AppContext


def _sandbox_url(args: argparse.Namespace) -> str | None:
    """The --sandbox / $GLSTUI_SANDBOX_URL to talk to; ValueError names a malformed one."""
    return config.sandbox_url(getattr(args, "sandbox", None))


def _build(args: argparse.Namespace, sandbox_url: str | None) -> AppContext | None:
    """The context the command runs in (None: doctor on a directory without glstui data)."""
    from glstui.services.context import build_context

    command = getattr(args, "command", None)
    if getattr(args, "demo", False):
        from glstui.demo import build_demo_context

        return build_demo_context(getattr(args, "lang", None), sandbox_url=sandbox_url)
    data_dir: Path | None = getattr(args, "data_dir", None)
    if command == "doctor":
        from glstui.cli.doctor import doctor_context

        ctx = doctor_context(data_dir, getattr(args, "lang", None))
    else:
        ctx = build_context(data_dir=data_dir, lang=getattr(args, "lang", None))
    if ctx is not None and sandbox_url:
        from glstui.demo import point_at_sandbox

        point_at_sandbox(ctx, sandbox_url)
    return ctx


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:
        from glstui.sandbox.cli import run

        return run(argv[1:])
    set_language(lang_in(argv))  # before parsing: --help and start-up failures in that language
    args = build_parser().parse_args(argv)
    command = getattr(args, "command", None)
    try:
        sandbox_url = _sandbox_url(args)
    except ValueError as exc:
        text = _("--sandbox (or GLSTUI_SANDBOX_URL) must be a URL like {example}, not {value!r}")
        print(
            f"glstui: {text.format(example='http://127.0.0.1:8765', value=str(exc))}",
            file=sys.stderr,
        )
        return 2
    if not getattr(args, "demo", False):
        problem = refusal(getattr(args, "data_dir", None), command)
        if problem:
            print(
                f"glstui {command}: {problem}" if command else f"glstui: {problem}", file=sys.stderr
            )
            return 2

    from glstui.services.context import ContextError
    from glstui.store import StoreError

    try:
        ctx = _build(args, sandbox_url)
    except (ContextError, StoreError) as exc:  # StoreBusy: another process holds the lock
        print(f"glstui: {exc.user_message}", file=sys.stderr)
        return 2
    if ctx is None:
        from glstui.cli.doctor import run_doctor_without_data

        return run_doctor_without_data(getattr(args, "data_dir", None))
    try:
        with ctx:
            return _run(args, ctx)
    except StoreError as exc:
        print(f"glstui: {exc.user_message}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.command == "doctor":
        from glstui.cli.doctor import run_doctor

        return run_doctor(ctx, full=args.full)
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
