"""Reaching the demo's consent page from where the operator sits.

The demo's Seller Central runs on the server's loopback (127.0.0.1), so over SSH the link
opens nothing on the operator's own computer. Two ways out, both offered on the Connect
screen: an `ssh -L` line with the real port (the operator then opens the same link at
home), or approving in the terminal, where glstui plays the browser against the demo only
(never against a real Seller Central: `approve_in_demo` refuses production endpoints).
"""

from __future__ import annotations

import os
import re
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import httpx

from glstui.i18n import N_
from glstui.services.connect import ConnectError, PendingConsent

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_HIDDEN = re.compile(r"<input type='hidden' name='([^']*)' value='([^']*)'>")


def loopback_port(url: str) -> int | None:
    """The port of a link to this machine's loopback, else None."""
    parts = urlsplit(url)
    if parts.hostname not in _LOOPBACK:
        return None
    return parts.port or (443 if parts.scheme == "https" else 80)


def ssh_tunnel_line(url: str, environ: dict[str, str] | None = None) -> str | None:
    """`ssh -L PORT:127.0.0.1:PORT user@host` for a loopback link seen over SSH, else None.

    The host and SSH port are this server's side of SSH_CONNECTION ("client port server
    port"), the user is $USER: the line works as typed on the operator's computer, unless
    they reach the server through a name or a jump host (they know that one).
    """
    env = os.environ if environ is None else environ
    port = loopback_port(url)
    fields = env.get("SSH_CONNECTION", "").split()
    if port is None or len(fields) != 4:
        return None
    host, ssh_port = fields[2], fields[3]
    if ":" in host:
        host = f"[{host}]"
    user = env.get("USER") or env.get("LOGNAME") or ""
    target = f"{user}@{host}" if user else host
    option = f" -p {ssh_port}" if ssh_port != "22" else ""
    return f"ssh -L {port}:127.0.0.1:{port}{option} {target}"


async def approve_in_demo(ctx: Any, pending: PendingConsent) -> str:
    """Open the demo's consent page, tick and Confirm as the demo seller; the redirect address."""
    if not ctx.endpoints.is_sandbox or loopback_port(pending.url) is None:
        raise ConnectError(
            N_("Approving from the terminal works only in the demo; open the link in a browser.")
        )
    async with httpx.AsyncClient(timeout=10.0) as http:
        page = await http.get(pending.url)
        fields = {unescape(k): unescape(v) for k, v in _HIDDEN.findall(page.text)}
        if page.status_code != 200 or not fields:
            raise ConnectError(
                N_("The demo's consent page did not open (HTTP {status})."),
                status=page.status_code,
            )
        base = pending.url.split("/apps/", 1)[0]
        confirm = await http.post(
            f"{base}/apps/authorize/confirm",
            data={**fields, "agree": "yes", "action": "confirm"},
        )
    location = confirm.headers.get("location", "")
    if confirm.status_code != 302 or not location:
        raise ConnectError(
            N_("The demo's consent page did not confirm (HTTP {status})."),
            status=confirm.status_code,
        )
    return location
