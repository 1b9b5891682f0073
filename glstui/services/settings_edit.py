"""Edit the settings (the portal's "Instellingen"): check every field, save, audit, test-print.

The Settings screen sends the typed texts (`SettingsForm`); `check` turns them into Settings or
names each field that is wrong with what to type instead, so nothing half-valid is stored.
Choices made here, as a warehouse would expect:
- the sender address is optional as a whole (GLS then prints the account's address), but once
  any part is typed, name, street, postcode and city are required and the postcode must fit
  the country (NL 1234 AB, BE 4 digits, DE 5 digits...);
- a printer is empty (labels are only saved), a CUPS queue that `lpstat -e` lists, or
  `host:port` of a raw ZPL printer, which then needs the label format "zpl" (a PDF sent to a
  thermal printer's raw port prints as a page of garbage);
- the first import looks back 1-30 days (Amazon keeps 30 days of unshipped orders in view for
  a merchant-fulfilled shop; more only slows the first run);
- one audit entry per save names each changed field with its new value; sender fields are
  named without values (they may hold a person's phone or e-mail).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from glstui.domain.address import HOUSE_NO_EXT_MAX, HOUSE_NO_MAX, STREET_MAX, normalise_postcode
from glstui.domain.clock import Clock
from glstui.domain.errors import N_, ValidationError
from glstui.domain.label_request import NAME_MAX, PHONE_MAX
from glstui.domain.settings import LABEL_FORMATS, SenderAddress, Settings
from glstui.files import atomic_write
from glstui.i18n import _
from glstui.services import audit, printing
from glstui.store import Store

ENVIRONMENTS = ("test", "live")
LANGUAGE_CHOICES = ("", "en", "nl")  # "" = from LANG
IMPORT_DAYS_MIN, IMPORT_DAYS_MAX = 1, 30
CITY_MAX = 30
COUNTRIES = ("NL", "BE", "DE", "LU", "FR", "AT", "DK", "ES", "IT", "CH", "PL", "CZ")
SENDER_FIELDS = tuple(f.name for f in dataclasses.fields(SenderAddress))
REQUIRED_SENDER = ("name", "street", "zip_code", "city")
SENDER_MAX = {
    "name": NAME_MAX,
    "street": STREET_MAX,
    "house_no": HOUSE_NO_MAX,
    "house_no_ext": HOUSE_NO_EXT_MAX,
    "city": CITY_MAX,
    "phone": PHONE_MAX,
    "email": 100,
}
TEST_LABEL_NAME = "test-label"


@dataclass
class SettingsForm:
    """What the operator typed, as text; `sender` holds the SenderAddress field names."""

    sender: dict[str, str]
    label_format: str
    printer: str
    first_import_days: str
    language: str
    gls_environment: str

    @classmethod
    def of(cls, settings: Settings) -> SettingsForm:
        return cls(
            sender={k: str(v) for k, v in dataclasses.asdict(settings.sender).items()},
            label_format=settings.label_format,
            printer=settings.printer,
            first_import_days=str(settings.first_import_days),
            language=settings.language,
            gls_environment=settings.gls_environment,
        )


class SettingsInvalid(ValidationError):
    """One or more fields are wrong; `problems` maps each field to what to do."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(
            next(iter(problems)),
            N_("{n} field(s) need a change before the settings can be saved."),
            n=len(problems),
        )
        self.problems = problems


PrinterList = Callable[[], list[str] | None]


def check_printer(printer: str, label_format: str, printers: PrinterList) -> str | None:
    """What is wrong with `printer` (translated), or None when it can be used."""
    if not printer:
        return None
    if ":" in printer:
        if printing.raw_address(printer) is None:
            return _("A network printer is host:port, like zebra.local:9100.")
        if label_format != "zpl":
            return _("A raw printer port takes ZPL only: choose the label format zpl.")
        return None
    known = printers()
    if known is None:
        return _(
            "'lpstat' did not answer (is CUPS installed?): give a printer CUPS knows, "
            "or a ZPL printer as host:9100."
        )
    if printer not in known:
        if not known:
            return _("CUPS knows no printer yet: add it with lpadmin, or give host:9100.")
        return _("CUPS does not know '{printer}'. Known: {known}.").format(
            printer=printer, known=", ".join(known)
        )
    return None


def _sender(values: dict[str, str], problems: dict[str, str]) -> SenderAddress:
    clean = {k: " ".join(values.get(k, "").split()) for k in SENDER_FIELDS}
    clean["country_code"] = clean["country_code"].upper() or "NL"
    if clean["country_code"] not in COUNTRIES:
        problems["sender.country_code"] = _("Choose one of: {list}.").format(
            list=", ".join(COUNTRIES)
        )
    typed = any(clean[k] for k in SENDER_FIELDS if k != "country_code")
    for name, limit in SENDER_MAX.items():
        if len(clean[name]) > limit:
            problems[f"sender.{name}"] = _("At most {n} characters.").format(n=limit)
    if typed:
        for name in REQUIRED_SENDER:
            if not clean[name]:
                problems.setdefault(f"sender.{name}", _("Required once a sender is given."))
    if clean["zip_code"] and "sender.country_code" not in problems:
        try:
            normalise_postcode(clean["zip_code"], clean["country_code"])
        except ValidationError as err:
            problems["sender.zip_code"] = err.user_message
    if clean["email"] and ("@" not in clean["email"] or " " in clean["email"]):
        problems["sender.email"] = _("An e-mail address looks like name@example.nl.")
    return SenderAddress(**clean)


def check(form: SettingsForm, current: Settings, printers: PrinterList) -> Settings:
    """The settings the form describes (other settings kept); raises SettingsInvalid."""
    problems: dict[str, str] = {}
    sender = _sender(form.sender, problems)
    label_format = form.label_format if form.label_format in LABEL_FORMATS else ""
    if not label_format:
        problems["label_format"] = _("Choose one of: {list}.").format(list=", ".join(LABEL_FORMATS))
    printer = form.printer.strip()
    wrong = check_printer(printer, label_format, printers)
    if wrong:
        problems["printer"] = wrong
    days_text = form.first_import_days.strip()
    days = int(days_text) if days_text.isascii() and days_text.isdigit() else 0
    if not IMPORT_DAYS_MIN <= days <= IMPORT_DAYS_MAX:
        problems["first_import_days"] = _("A number of days from {lo} to {hi}.").format(
            lo=IMPORT_DAYS_MIN, hi=IMPORT_DAYS_MAX
        )
    if form.language not in LANGUAGE_CHOICES:
        problems["language"] = _("Choose English, Dutch or the system's language.")
    if form.gls_environment not in ENVIRONMENTS:
        problems["gls_environment"] = _("Choose test or live.")
    if problems:
        raise SettingsInvalid(problems)
    return dataclasses.replace(
        current,
        sender=sender,
        label_format=label_format,
        printer=printer,
        first_import_days=days,
        language=form.language,
        gls_environment=form.gls_environment,
    )


def changes(before: Settings, after: Settings) -> list[str]:
    """The audit words for what changed: "printer: Zebra1", "sender.city" (no value)."""
    out = []
    for name in ("label_format", "printer", "first_import_days", "language", "gls_environment"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            out.append(f"{name}: {new if new != '' else '-'}")
    for name in SENDER_FIELDS:
        if getattr(before.sender, name) != getattr(after.sender, name):
            out.append(f"sender.{name}")
    return out


def save(
    store: Store,
    clock: Clock,
    form: SettingsForm,
    printers: PrinterList | None = None,
) -> list[str]:
    """Check and store the form in one write with its audit entry; returns what changed.
    `printers` lists the CUPS queues (default: `lpstat -e`, asked only for a CUPS name)."""
    with store.write() as tx:
        before = tx.settings.get()
        after = check(form, before, printers or printing.known_printers)
        changed = changes(before, after)
        if changed:
            tx.settings.put(after)
            audit.record(tx, audit.SETTINGS_CHANGED, "; ".join(changed), clock=clock)
    return changed


async def test_print(store: Store, clock: Clock, labels_dir: Path) -> printing.PrintResult:
    """Print a test label with the saved printer and format; the audit log records it."""
    with store.read() as view:
        settings = view.settings.get()
    sender = ", ".join(p for p in (settings.sender.name, settings.sender.city) if p)
    data = printing.test_label(settings.label_format, _("Test label"), sender or "GLS")
    suffix = "zpl" if settings.label_format == "zpl" else "pdf"
    path = labels_dir / f"{TEST_LABEL_NAME}.{suffix}"
    labels_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    result = await printing.print_file(settings.printer, path)
    verdict = "ok" if result.ok else "failed"
    audit.record_now(
        store, audit.SETTINGS_TEST_PRINT, f"{settings.printer or '-'}: {verdict}", clock=clock
    )
    return result
