"""`glstui doctor`: one line per check, PASS/WARN/FAIL with what to do; exit 1 on any FAIL."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glstui.amazon.endpoints import Endpoints
from glstui.cli.doctor import run_doctor
from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox
from glstui.sandbox.gls import GLS_DEMO_PASSWORD, GLS_DEMO_SUBSCRIPTION_KEY, GLS_DEMO_USERNAME
from glstui.secrets import Secrets
from glstui.services import doctor, doctor_live
from glstui.services.context import AppContext
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SECRET_VALUES = {
    "amazon.app_id": DEMO_APP_ID,
    "amazon.lwa_client_id": DEMO_CLIENT_ID,
    "amazon.lwa_client_secret": DEMO_CLIENT_SECRET,
    "gls.username": GLS_DEMO_USERNAME,
    "gls.password": GLS_DEMO_PASSWORD,
    "gls.subscription_key": GLS_DEMO_SUBSCRIPTION_KEY,
}


class _Usage:
    def __init__(self, free: int) -> None:
        self.free = free


@pytest.fixture(autouse=True)
def plenty_of_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine running the tests may be short of space; the checks must not care."""
    monkeypatch.setattr(doctor_live.shutil, "disk_usage", lambda _p: _Usage(50 * 2**30))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(orders=5) as box:
        yield box


def make_ctx(
    data_dir: Path,
    endpoints: Endpoints,
    secrets: Secrets | None = None,
    gls_url: str | None = None,
) -> AppContext:
    data_dir.mkdir(mode=0o700, exist_ok=True)
    clock = FixedClock(NOW)
    if secrets is None:
        secrets = Secrets.in_memory()
        for name, value in SECRET_VALUES.items():
            secrets.set(name, value)
    return AppContext(
        data_dir=data_dir,
        store=Store.open(data_dir, clock),
        secrets=secrets,
        clock=clock,
        endpoints=endpoints,
        gls_base_url_override=gls_url,
    )


def sandbox_ctx(tmp_path: Path, sandbox: Sandbox, **kw: object) -> AppContext:
    return make_ctx(
        tmp_path / "data",
        Endpoints.sandbox(sandbox.base_url),
        gls_url=f"{sandbox.base_url}/Test/V1/api/",
        **kw,  # type: ignore[arg-type]
    )


def run(ctx: AppContext, timeout: float = 2.0) -> tuple[int, str]:
    out = io.StringIO()
    code = run_doctor(ctx, out=out, timeout=timeout)
    return code, out.getvalue()


def lines_with(text: str, status: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(status)]


def test_a_healthy_sandbox_setup_passes_everything(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    code, text = run(ctx)
    assert code == 0, text
    assert not lines_with(text, "FAIL") and not lines_with(text, "WARN"), text
    assert f"PASS  Data directory {ctx.data_dir} is writable" in text
    assert "PASS  Secret store in use: in-memory (demo)" in text
    assert "PASS  Amazon app credentials are set" in text
    assert "PASS  GLS credentials are set" in text
    assert f"Amazon SP-API EU {sandbox.base_url} answers" in text
    assert f"GLS label API {sandbox.base_url}/Test/V1/api/ answers" in text
    for value in SECRET_VALUES.values():
        assert value not in text  # names of keys, never their values
    assert text.rstrip().endswith("0 failed, 0 warnings, 12 passed")
    assert "PASS  GLS accepts the login" in text


def test_the_demo_context_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    from glstui.demo import build_demo_context

    ctx = build_demo_context("en", FixedClock(NOW))
    with ctx:
        code, text = run(ctx)
    assert code == 0, text


def test_missing_credentials_fail_and_name_the_missing_keys(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox, secrets=Secrets.in_memory())
    code, text = run(ctx)
    assert code == 1
    fails = lines_with(text, "FAIL")
    assert any(
        "Amazon app credentials missing: amazon.app_id, amazon.lwa_client_id, "
        "amazon.lwa_client_secret"
        in f
        and "under Keys (Key beheer)" in f
        for f in fails
    ), fails
    assert any(
        "GLS credentials missing: gls.subscription_key, gls.username, gls.password" in f
        for f in fails
    )


def test_a_connected_shop_without_refresh_token_fails(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    with ctx.store.write() as tx:
        tx.integrations.put(
            Integration(shop_name="Amazon NL", id="shop1", status=CONNECTED, authorized_at=NOW)
        )
    code, text = run(ctx)
    assert code == 1
    assert (
        "FAIL  Shop Amazon NL: no Amazon refresh token — re-connect this shop under Integrations"
        in text
    )
    ctx.secrets.set("amazon.refresh_token.shop1", sandbox.issue_refresh_token())
    code, text = run(ctx)
    assert code == 0, text
    assert "Atzr|" not in text


def test_consent_running_out_is_a_warning(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    with ctx.store.write() as tx:
        tx.integrations.put(
            Integration(
                shop_name="Amazon DE",
                id="shop2",
                status=CONNECTED,
                authorized_at=datetime(2025, 12, 10, 8, 0, tzinfo=UTC),
            )
        )
    ctx.secrets.set("amazon.refresh_token.shop2", sandbox.issue_refresh_token())
    code, text = run(ctx)
    assert code == 0
    assert "WARN  Shop Amazon DE: Amazon consent runs out in 13 days" in text


def test_unreachable_endpoints_fail(tmp_path: Path) -> None:
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    ctx = make_ctx(tmp_path / "data", Endpoints.sandbox(closed), gls_url=f"{closed}/gls/")
    code, text = run(ctx, timeout=1.0)
    assert code == 1
    fails = lines_with(text, "FAIL")
    assert any(
        "Amazon login (LWA) http://127.0.0.1:9/auth/o2/token is not reachable" in f for f in fails
    ), fails
    assert any("GLS label API http://127.0.0.1:9/gls/ is not reachable" in f for f in fails)
    assert all("check the network" in f for f in fails)


def test_an_unwritable_data_dir_fails(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    real = tempfile.mkstemp

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        if Path(str(kwargs.get("dir"))) == ctx.data_dir:
            raise PermissionError(13, "Permission denied")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    if os.geteuid() != 0:
        ctx.data_dir.chmod(0o500)  # the real thing where permissions apply
    else:
        monkeypatch.setattr(doctor.tempfile, "mkstemp", refuse)  # root may write anywhere
    try:
        code, text = run(ctx)
    finally:
        ctx.data_dir.chmod(0o700)
    assert code == 1
    assert (
        f"FAIL  Data directory {ctx.data_dir} is not writable (Permission denied) — give your "
        "user write access (chown/chmod) or pass --data-dir" in text
    )


def test_a_missing_data_dir_fails(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    gone = tmp_path / "gone"
    ctx.data_dir = gone
    checks = doctor.check_directory("Data directory", gone)
    assert checks[0].status == doctor.FAIL
    assert f"mkdir -p {gone}" in checks[0].line()


def test_open_permissions_are_warnings(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    ctx.data_dir.chmod(0o755)
    ctx.store.path.chmod(0o644)
    code, text = run(ctx)
    assert code == 0  # a warning is not a failure
    assert (
        f"WARN  Data directory {ctx.data_dir} can be read by other users (mode 755) — "
        f"chmod 700 {ctx.data_dir}" in text
    )
    assert f"chmod 600 {ctx.store.path}" in text


def test_a_locked_encrypted_secret_store_fails(tmp_path: Path, sandbox: Sandbox) -> None:
    data = tmp_path / "data"
    data.mkdir()
    secrets = Secrets.encrypted_file(data / "secrets.cfg", env={})
    secrets.unlock("correct horse battery staple")
    secrets.set("gls.password", "S3cret-GLS-pass!")
    locked = Secrets.encrypted_file(data / "secrets.cfg", env={})
    ctx = sandbox_ctx(tmp_path, sandbox, secrets=locked)
    code, text = run(ctx)
    assert code == 1
    assert f"PASS  Secret store in use: encrypted file {data / 'secrets.cfg'}" in text
    assert (
        "FAIL  The secret store is locked — unlock it in the app, or set "
        "GLSTUI_KEYRING_PASSPHRASE" in text
    )
    assert "S3cret" not in text


def test_cli_doctor_runs_on_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    from glstui.cli import main

    assert main(["doctor", "--demo", "--lang", "en"]) == 0
    assert "PASS  Secret store in use: in-memory (demo)" in capsys.readouterr().out


def _connected_shop(ctx: AppContext, sandbox: Sandbox) -> None:
    with ctx.store.write() as tx:
        tx.integrations.put(
            Integration(shop_name="Amazon NL", id="shop1", status=CONNECTED, authorized_at=NOW)
        )
    ctx.secrets.set("amazon.refresh_token.shop1", sandbox.issue_refresh_token())


def test_lwa_answering_500_fails_the_token_refresh(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    _connected_shop(ctx, sandbox)
    sandbox.faults.add("500", count=None, path="/auth/o2/token")
    try:
        code, text = run(ctx)
    finally:
        sandbox.faults.clear()
    assert code == 1
    assert "FAIL  Shop Amazon NL: the Amazon token refresh failed" in text
    assert "not answering properly" in text


def test_wrong_app_credentials_fail(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    _connected_shop(ctx, sandbox)
    ctx.secrets.set("amazon.lwa_client_secret", "rotated-long-ago")
    code, text = run(ctx)
    assert code == 1
    assert "FAIL  Amazon refused the app credentials" in text
    assert "rotated-long-ago" not in text


def test_a_revoked_shop_fails_the_token_refresh(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    _connected_shop(ctx, sandbox)
    sandbox.revoke(ctx.secrets.get("amazon.refresh_token.shop1"))
    code, text = run(ctx)
    assert code == 1
    assert "FAIL  Shop Amazon NL: Amazon refused the token refresh" in text


def test_a_wrong_gls_login_fails(tmp_path: Path, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    ctx.secrets.set("gls.password", "not-the-password")
    code, text = run(ctx)
    assert code == 1
    assert "FAIL  GLS refused the login check" in text
    assert "not-the-password" not in text


def test_a_full_disk_fails(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = sandbox_ctx(tmp_path, sandbox)
    monkeypatch.setattr(doctor_live.shutil, "disk_usage", lambda _p: _Usage(3 * 2**20))
    code, text = run(ctx)
    assert code == 1
    assert "FAIL  Free disk space for" in text and ": 3 MB" in text
