"""The log file, and a filter that keeps secrets and buyer data out of it.

`setup_logging(log_dir)` writes glstui.log (mode 0600, rotated at 5 MB, 5 old files) for the
"glstui" logger tree. Every record passes `RedactingFilter`, which rewrites message, arguments
and traceback text through `redact()`:

- LWA tokens (Atza|..., Atzr|...), LWA client secrets (amzn1.oa2-cs.v1....),
  spapi_oauth_code=..., Authorization / x-amz-access-token / subscription-key header values;
- values of "password", "refresh_token", "client_secret", "access_token", "code" and similar
  keys in JSON, Python reprs and form bodies;
- e-mail addresses;
- every value registered with `register_sensitive()`.

Buyer names, street lines and phone numbers cannot be recognised by a pattern. So: never log
them. As a second line of defence, services register the recipient's name, address lines and
phone as they import (and Secrets registers each secret it reads or writes); the filter then
scrubs those exact strings. The registry keeps the most recent MAX_REGISTERED values; values
shorter than MIN_REGISTERED characters are ignored (they would blank out ordinary words).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from collections import OrderedDict
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER_NAME = "glstui"
LOG_FILE = "glstui.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 5
MASK = "***"
MAX_REGISTERED = 5000
MIN_REGISTERED = 4
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SECRET_KEYS = (
    r"password|passwd|refresh_token|access_token|client_secret|id_token|"
    r"spapi_oauth_code|subscription_?key|api_?key|secret|passphrase|token"
)
_FORM_KEYS = _SECRET_KEYS + r"|code"  # the OAuth code in a token request body
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # LWA access and refresh tokens: Atza|... / Atzr|...
    (re.compile(r"\b(Atz[ar])\|[^\s\"',;&<>)\]}]+"), rf"\1|{MASK}"),
    # LWA client secret
    (re.compile(r"\bamzn1\.oa2-cs\.v1\.[A-Za-z0-9._-]+"), f"amzn1.oa2-cs.v1.{MASK}"),
    # HTTP auth headers, in "Name: value" or repr "'Name': 'value'" form
    (
        re.compile(
            r"(?i)((?:authorization|x-amz-access-token|ocp-apim-subscription-key)"
            r"['\"]?\s*[:=]\s*['\"]?)(?:(?:basic|bearer)\s+)?[^\s'\",;&]+"
        ),
        rf"\1{MASK}",
    ),
    # JSON / repr: "password": "value"  'refresh_token': 'value'
    (
        re.compile(rf"(?i)([\"']({_SECRET_KEYS})[\"']\s*:\s*)([\"'])(?:\\.|(?!\3).)*\3"),
        rf"\1\3{MASK}\3",
    ),
    # form / query: password=value&...   spapi_oauth_code=value
    (re.compile(rf"(?i)\b({_FORM_KEYS})=[^&\s\"']+"), rf"\1={MASK}"),
    # e-mail addresses (buyers' Amazon relay addresses included)
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "<email>"),
]

_registry: OrderedDict[str, None] = OrderedDict()
_registry_lock = threading.Lock()


def register_sensitive(*values: str | None) -> None:
    """Scrub these exact strings (buyer names, address lines, phones, secrets) from logs."""
    with _registry_lock:
        for value in values:
            if not value or not isinstance(value, str):
                continue
            value = value.strip()
            if len(value) < MIN_REGISTERED:
                continue
            _registry[value] = None
            _registry.move_to_end(value)
        while len(_registry) > MAX_REGISTERED:
            _registry.popitem(last=False)


def clear_sensitive() -> None:
    with _registry_lock:
        _registry.clear()


def redact(text: str) -> str:
    """`text` with secrets, e-mail addresses and registered values masked."""
    if not text:
        return text
    with _registry_lock:
        registered = [v for v in _registry if v in text]
    # longest first, so "Oudegracht 12" wins over a registered "Oudegracht"
    for value in sorted(registered, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record so no handler after it sees a secret (see module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what we can, redacted
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(formatted)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(RotatingFileHandler):
    """RotatingFileHandler whose files are created with mode 0600."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup_logging(log_dir: Path, level: int | str = logging.INFO) -> Path:
    """Log the "glstui" logger tree to <log_dir>/glstui.log, redacted; return the file path.

    Calling it again (e.g. another data dir in the same process) replaces the handler.
    """
    log_dir = Path(log_dir)
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    shutdown_logging()
    logger = logging.getLogger(LOGGER_NAME)
    handler = PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    return path


def shutdown_logging() -> None:
    """Close and remove the handler setup_logging added (at exit, or before a new one)."""
    logger = logging.getLogger(LOGGER_NAME)
    for old in [h for h in logger.handlers if isinstance(h, PrivateRotatingFileHandler)]:
        logger.removeHandler(old)
        old.close()
