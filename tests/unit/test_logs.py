"""What reaches the log file: enough to debug, never a token, password or buyer's details."""

import logging
import stat

import pytest

from glstui import logs


@pytest.fixture
def log_file(tmp_path):
    logs.clear_sensitive()
    path = logs.setup_logging(tmp_path / "logs", level=logging.DEBUG)
    yield path
    logs.shutdown_logging()
    logs.clear_sensitive()


def read(path):
    for handler in logging.getLogger("glstui").handlers:
        handler.flush()
    return path.read_text()


SECRETS = {
    "access token": ("token Atza|IwEBIA1b2C3d-e_f.g~h+i/j=k expired", "Atza|IwEBIA1b2C3d"),
    "refresh token": ("stored Atzr|IwEBIJkLmN0pQ for shop1", "IwEBIJkLmN0pQ"),
    "client secret": (
        "secret amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef set",
        "0123456789abcdef",
    ),
    "consent code": (
        "redirect https://x.example/cb?state=s1&spapi_oauth_code=ANdNaBcDeF&selling_partner_id=A2",
        "ANdNaBcDeF",
    ),
    "json password": ('body {"username": "w", "password": "Gls-Pa55word!"}', "Gls-Pa55word!"),
    "json refresh_token": ('{"refresh_token":"rt-secret-123","x":1}', "rt-secret-123"),
    "json client_secret": ('{"client_secret": "cs-secret-456"}', "cs-secret-456"),
    "json access_token": ('{"access_token": "at-\\"quoted\\"-789"}', "at-"),
    "python repr": ("{'password': 'repr-secret'}", "repr-secret"),
    "form body": (
        "grant_type=authorization_code&code=ANcode42&client_secret=form-cs&client_id=app",
        "ANcode42",
    ),
    "form refresh": ("grant_type=refresh_token&refresh_token=Atzr|abc", "Atzr|abc"),
    "bearer header": ("Authorization: Bearer eyJhbGciOi.payload", "eyJhbGciOi"),
    "amz header": ("{'x-amz-access-token': 'Atza|hdr-token'}", "hdr-token"),
    "subscription key header": ("Ocp-Apim-Subscription-Key: 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
    "e-mail": ("buyer 0x1abc2def@marketplace.amazon.nl wrote", "0x1abc2def@marketplace"),
}


@pytest.mark.parametrize("kind", list(SECRETS))
def test_each_kind_of_secret_is_masked_in_the_log_file(log_file, kind):
    text, secret = SECRETS[kind]
    logging.getLogger("glstui.amazon").info("request: %s", text)
    written = read(log_file)
    assert secret not in written
    assert ("request: " in written and "***" in written) or "<email>" in written


def test_client_secret_in_a_form_body_is_masked_too():
    assert "form-cs" not in logs.redact("client_secret=form-cs&client_id=app")
    assert "client_id=app" in logs.redact("client_secret=form-cs&client_id=app")


def test_ordinary_words_and_error_codes_survive():
    text = 'Amazon said {"code": "InvalidInput", "message": "bad"}; next_token=abc page 3'
    assert logs.redact(text) == text


def test_secret_in_an_exception_traceback_is_masked(log_file):
    log = logging.getLogger("glstui.gls")
    try:
        raise RuntimeError('login failed for {"password": "Gls-Pa55word!"}')
    except RuntimeError:
        log.exception("label request failed")
    written = read(log_file)
    assert "Gls-Pa55word!" not in written
    assert "label request failed" in written and "RuntimeError" in written


def test_registered_buyer_details_are_masked(log_file):
    logs.register_sensitive("Jan de Vries", "Oudegracht 12 bis", "+31612345678", None, "")
    logging.getLogger("glstui.labels").warning(
        "GLS refused address Oudegracht 12 bis for Jan de Vries (+31612345678)"
    )
    written = read(log_file)
    for pii in ("Jan de Vries", "Oudegracht", "+31612345678"):
        assert pii not in written
    assert "GLS refused address" in written


def test_short_values_are_not_registered_so_words_survive():
    logs.clear_sensitive()
    logs.register_sensitive("NL", "1", "Jan")
    assert logs.redact("country NL, house 1, Jan") == "country NL, house 1, Jan"


def test_registry_is_bounded_and_keeps_the_newest():
    logs.clear_sensitive()
    values = [f"Buyer Number {i:05d}" for i in range(logs.MAX_REGISTERED + 10)]
    logs.register_sensitive(*values)
    assert logs.redact(values[0]) == values[0]  # the oldest fell out
    assert logs.redact(values[-1]) == "***"
    logs.clear_sensitive()


def test_log_file_and_rotated_files_are_private(log_file):
    handler = next(
        h for h in logging.getLogger("glstui").handlers if isinstance(h, logs.RotatingFileHandler)
    )
    handler.maxBytes = 300
    for i in range(20):
        logging.getLogger("glstui").info("line %d %s", i, "x" * 40)
    files = sorted(log_file.parent.glob("glstui.log*"))
    assert len(files) > 1
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700
