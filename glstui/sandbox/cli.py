"""`glstui sandbox`: run the simulated Amazon + GLS on loopback until Ctrl-C, so a second
glstui (or curl, or a browser for the consent page) can talk to it."""

from __future__ import annotations

import argparse
import threading
from datetime import timedelta

from glstui.sandbox.server import Sandbox, describe


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="glstui sandbox",
        description=(
            "Run the simulated Amazon and GLS services on 127.0.0.1 until Ctrl-C. Point "
            "another glstui at it with --sandbox URL (or GLSTUI_SANDBOX_URL=URL): "
            "'glstui --demo --sandbox URL' with the demo keys and a throwaway data dir, or "
            "'glstui --data-dir DIR --sandbox URL' with the demo keys it prints entered "
            "under Keys."
        ),
        epilog=(
            "Exit codes:\n  0  stopped with Ctrl-C\n  1  could not listen on the address\n"
            "  2  an option is out of range"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--time-scale",
        type=float,
        default=60.0,
        help="how much faster than real time the simulated clock runs (default 60)",
    )
    p.add_argument("--orders", type=int, default=200, help="orders per demo seller (default 200)")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    p.add_argument(
        "--partial-share",
        type=float,
        default=0.0,
        help="share of waiting multi-unit orders already shipped in part (default 0)",
    )
    p.add_argument(
        "--kinds-share",
        type=float,
        default=0.0,
        help="share of waiting orders that are Easy Ship, Ship+ or to a pickup point (default 0)",
    )
    p.add_argument(
        "--drop-confirmations-share",
        type=float,
        default=0.0,
        help="share of confirmShipment calls answered 204 but not applied (default 0)",
    )
    p.add_argument(
        "--late-share",
        type=float,
        default=0.0,
        help="share of orders searchOrders lists only --late-minutes after their update",
    )
    p.add_argument(
        "--late-minutes",
        type=float,
        default=3.0,
        help="how late those orders are listed, in simulated minutes (default 3)",
    )
    p.add_argument(
        "--without-pii-role",
        action="store_true",
        help="send the first seller's orders as to an app without the Restricted (PII) role",
    )
    return p


def run(argv: list[str] | None = None, *, stop: threading.Event | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.time_scale <= 0:
        print("--time-scale must be more than 0")
        return 2
    if args.orders < 0:
        print("--orders must be 0 or more")
        return 2
    shares = (args.partial_share, args.kinds_share, args.drop_confirmations_share, args.late_share)
    if not all(0 <= share <= 1 for share in shares) or args.late_minutes < 0:
        print("the --...-share options must be between 0 and 1, --late-minutes 0 or more")
        return 2
    try:
        sandbox = Sandbox(
            seed=args.seed,
            orders=args.orders,
            time_scale=args.time_scale,
            host=args.host,
            port=args.port,
            partial_share=args.partial_share,
            kinds_share=args.kinds_share,
        )
        if args.without_pii_role:
            sandbox.amazon.set_pii_role(False)
        sandbox.amazon.drop_confirmations(args.drop_confirmations_share)
        sandbox.amazon.delay_visibility(args.late_share, timedelta(minutes=args.late_minutes))
        sandbox.start()
    except OSError as e:
        print(f"Could not start the sandbox on {args.host}:{args.port}: {e.strerror or e}")
        return 1
    print(describe(sandbox), flush=True)
    base = sandbox.base_url
    print(f"Point glstui at it: glstui --sandbox {base} (or GLSTUI_SANDBOX_URL={base})", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    waiter = stop or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("\nstopping sandbox")
    finally:
        sandbox.stop()
    return 0
