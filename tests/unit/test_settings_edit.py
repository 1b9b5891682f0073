"""Settings (Instellingen): every field is checked, a save is audited, a test label prints."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.settings import Settings
from glstui.services import audit, printing, settings_edit
from glstui.services.settings_edit import SettingsForm, SettingsInvalid
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SENDER = {
    "name": "Demo Webshop BV",
    "street": "Oudegracht",
    "house_no": "12",
    "house_no_ext": "",
    "zip_code": "3511 AB",
    "city": "Utrecht",
    "country_code": "NL",
    "phone": "",
    "email": "",
}


def printers() -> list[str]:
    return ["Zebra1", "Office"]


def form(**changes: object) -> SettingsForm:
    base = SettingsForm.of(Settings())
    base.sender = dict(SENDER)
    for name, value in changes.items():
        if name.startswith("sender_"):
            base.sender[name.removeprefix("sender_")] = str(value)
        else:
            setattr(base, name, value)
    return base


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    return Store.open(tmp_path / "data", clock)


def problems(f: SettingsForm) -> dict[str, str]:
    with pytest.raises(SettingsInvalid) as caught:
        settings_edit.check(f, Settings(), printers)
    return caught.value.problems


@pytest.mark.parametrize(
    ("country", "code", "ok"),
    [
        ("NL", "3511 AB", True),
        ("NL", "0511 AB", False),
        ("NL", "35111", False),
        ("BE", "1000", True),
        ("BE", "10000", False),
        ("DE", "10115", True),
        ("DE", "1011", False),
    ],
)
def test_the_postcode_must_fit_the_country(country: str, code: str, ok: bool) -> None:
    f = form(sender_country_code=country, sender_zip_code=code)
    if ok:
        assert settings_edit.check(f, Settings(), printers).sender.zip_code == code
    else:
        assert "sender.zip_code" in problems(f)


def test_a_sender_once_started_needs_name_street_postcode_and_city() -> None:
    f = form(sender_name="", sender_city="")
    assert set(problems(f)) == {"sender.name", "sender.city"}
    empty = form(**{f"sender_{k}": "" for k in SENDER})
    assert settings_edit.check(empty, Settings(), printers).sender.name == ""


def test_a_printer_must_be_known_to_cups_or_a_raw_zpl_port() -> None:
    assert settings_edit.check(form(printer="Zebra1"), Settings(), printers).printer == "Zebra1"
    wrong = problems(form(printer="Zebra2"))["printer"]
    assert "Zebra2" in wrong and "Zebra1, Office" in wrong
    assert "zpl" in problems(form(printer="zebra.local:9100"))["printer"]
    raw = settings_edit.check(
        form(printer="zebra.local:9100", label_format="zpl"), Settings(), printers
    )
    assert raw.printer == "zebra.local:9100"
    assert "host:port" in problems(form(printer="zebra.local:99999", label_format="zpl"))["printer"]


def test_without_lpstat_a_cups_name_is_refused_with_what_to_do() -> None:
    with pytest.raises(SettingsInvalid) as caught:
        settings_edit.check(form(printer="Zebra1"), Settings(), lambda: None)
    assert "lpstat" in caught.value.problems["printer"]


def test_import_window_language_and_environment_are_checked() -> None:
    found = problems(
        form(first_import_days="0", language="fr", gls_environment="prod", label_format="png")
    )
    assert set(found) == {"first_import_days", "language", "gls_environment", "label_format"}
    assert problems(form(first_import_days="31"))["first_import_days"]


def test_a_save_stores_and_audits_each_change_without_sender_values(
    store: Store, clock: FixedClock
) -> None:
    f = form(printer="Zebra1", gls_environment="live", sender_phone="+31 6 12345678")
    changed = settings_edit.save(store, clock, f, printers)

    with store.read() as view:
        saved = view.settings.get()
    assert (saved.printer, saved.gls_environment) == ("Zebra1", "live")
    assert saved.sender.city == "Utrecht"
    (entry,) = audit.entries(store, action="settings")
    assert entry.action == audit.SETTINGS_CHANGED
    assert "printer: Zebra1" in entry.detail and "gls_environment: live" in entry.detail
    assert "sender.phone" in entry.detail and "12345678" not in entry.detail
    assert changed == entry.detail.split("; ")
    assert settings_edit.save(store, clock, f, printers) == []  # nothing new: no entry
    assert len(audit.entries(store, action="settings")) == 1


def test_a_refused_save_changes_nothing(store: Store, clock: FixedClock) -> None:
    with pytest.raises(SettingsInvalid):
        settings_edit.save(store, clock, form(printer="Nope"), printers)
    with store.read() as view:
        assert view.settings.get() == Settings()
    assert audit.entries(store) == []


def test_known_printers_come_from_lpstat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "lpstat"
    script.write_text('#!/bin/sh\n[ "$1" = "-e" ] && printf "Zebra1\\nOffice_Laser\\n"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    assert printing.known_printers() == ["Zebra1", "Office_Laser"]
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert printing.known_printers() is None


@pytest.fixture
def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `lp` on PATH that records its arguments and copies the file it got."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    log = tmp_path / "lp.log"
    script = bindir / "lp"
    script.write_text(
        f'#!/bin/sh\necho "$@" >> "{log}"\ncp "$4" "{tmp_path}/printed"\n'
        'echo "request id is Zebra1-7 (1 file(s))"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


async def test_a_test_label_prints_on_the_saved_printer_and_is_audited(
    store: Store, clock: FixedClock, tmp_path: Path, fake_lp: Path
) -> None:
    settings_edit.save(store, clock, form(printer="Zebra1"), printers)
    result = await settings_edit.test_print(store, clock, tmp_path / "labels")
    assert result.ok and "Zebra1-7" in result.message
    assert fake_lp.read_text().split()[:2] == ["-d", "Zebra1"]
    printed = (tmp_path / "printed").read_bytes()
    assert printed.startswith(b"%PDF-1.4") and b"Demo Webshop BV, Utrecht" in printed
    assert (tmp_path / "labels" / "test-label.pdf").stat().st_mode & 0o777 == 0o600
    entry = audit.entries(store, action=audit.SETTINGS_TEST_PRINT)[0]
    assert entry.detail == "Zebra1: ok"


async def test_a_zpl_test_label_goes_to_a_raw_printer_port(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    received = bytearray()
    done = asyncio.Event()

    async def printer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.read())
        writer.close()
        done.set()

    server = await asyncio.start_server(printer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        address = f"127.0.0.1:{port}"
        settings_edit.save(store, clock, form(printer=address, label_format="zpl"), printers)
        result = await settings_edit.test_print(store, clock, tmp_path / "labels")
        await done.wait()
    assert result.ok
    assert received.startswith(b"^XA") and b"Demo Webshop BV, Utrecht" in received


async def test_an_unreachable_raw_printer_is_a_message_not_an_error(tmp_path: Path) -> None:
    label = tmp_path / "x.zpl"
    label.write_bytes(b"^XA^XZ")
    result = await printing.print_file("127.0.0.1:9", label)
    assert not result.ok and str(label) in result.message
