"""The consent hand-off: the link the operator opens and everything they might paste back."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from glstui.amazon.consent import (
    AmazonConsentPageError,
    ConsentExpired,
    EmptyPaste,
    MissingCode,
    StateMismatch,
    parse_pasted,
    seller_central_url,
    start_consent,
)
from glstui.amazon.endpoints import Endpoints
from glstui.amazon.errors import CONSENT_PAGE_ERRORS
from glstui.amazon.regions import MARKETPLACES, marketplace
from glstui.domain.clock import FixedClock

APP_ID = "amzn1.sp.solution.11111111-2222-3333-4444-555555555555"
NL = "A1805IZSGTT6HS"
REDIRECT = "https://glstui.example/redirect"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))


@pytest.fixture
def request_(clock: FixedClock):
    return start_consent(Endpoints.production(), APP_ID, NL, clock, redirect_uri=REDIRECT)


def _redirect(state: str, code: str = "ANabcdefghijklmnopqr") -> str:
    return f"{REDIRECT}?state={state}&selling_partner_id=A3PNJAV4CVI5V1&spapi_oauth_code={code}"


def test_consent_url_points_at_the_marketplace_seller_central(clock):
    req = start_consent(Endpoints.production(), APP_ID, NL, clock)
    parts = urlsplit(req.url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "sellercentral.amazon.nl",
        "/apps/authorize/consent",
    )
    q = parse_qs(parts.query)
    assert q == {"application_id": [APP_ID], "state": [req.state]}
    assert req.expires_at > clock.now()


def test_consent_url_optional_parts_and_region_hosts(clock):
    req = start_consent(
        Endpoints.production(), APP_ID, "DE", clock, beta=True, redirect_uri=REDIRECT
    )
    q = parse_qs(urlsplit(req.url).query)
    assert q["version"] == ["beta"] and q["redirect_uri"] == [REDIRECT]
    assert req.url.startswith("https://sellercentral-europe.amazon.com/apps/authorize/consent?")
    assert start_consent(Endpoints.production(), APP_ID, "US", clock).url.startswith(
        "https://sellercentral.amazon.com/"
    )


def test_every_request_gets_a_fresh_long_state(clock):
    requests = [start_consent(Endpoints.production(), APP_ID, NL, clock) for _ in range(50)]
    assert len({r.state for r in requests}) == 50
    for req in requests:
        raw = base64.urlsafe_b64decode(req.state + "=" * (-len(req.state) % 4))
        assert len(raw) * 8 >= 128
        assert req.state not in repr(req)


def test_sandbox_endpoints_send_everything_to_loopback(clock):
    eps = Endpoints.sandbox("http://127.0.0.1:1234/")
    assert eps.lwa_token_url == "http://127.0.0.1:1234/auth/o2/token"
    assert eps.api_base("EU") == eps.api_base("FE") == "http://127.0.0.1:1234"
    req = start_consent(eps, APP_ID, NL, clock)
    assert req.url.startswith("http://127.0.0.1:1234/apps/authorize/consent?")


def test_official_marketplace_ids_and_hosts():
    expected = {
        "NL": "A1805IZSGTT6HS", "DE": "A1PA6795UKMFR9", "FR": "A13V1IB3VIYZZH",
        "IT": "APJ6JRA9NG5V4", "ES": "A1RKKUPIHCS9HS", "UK": "A1F83G8C2ARO7P",
        "BE": "AMEN7PMS3EDWL", "PL": "A1C3SOZRARQ6R3", "SE": "A2NODRKZP88ZB9",
        "TR": "A33AVAJ2PDY3EV", "IE": "A28R8C7NBKEWEA", "US": "ATVPDKIKX0DER",
        "CA": "A2EUQ1WTGCTBG2", "MX": "A1AM78C64UM0Y8", "JP": "A1VC38T7YXB528",
    }  # fmt: skip
    assert {code: m.id for code, m in MARKETPLACES.items()} == expected
    assert marketplace("A1805IZSGTT6HS").seller_central_host == "sellercentral.amazon.nl"
    assert marketplace("uk").country_code == "GB"
    assert {m.region for m in MARKETPLACES.values()} == {"EU", "NA", "FE"}


def test_seller_central_url_for_the_backoffice_handoff():
    assert seller_central_url("NL") == "https://sellercentral.amazon.nl/home"
    assert (
        seller_central_url(NL, "/orders-v3/mfn/unshipped")
        == "https://sellercentral.amazon.nl/orders-v3/mfn/unshipped"
    )
    sandbox = Endpoints.sandbox("http://127.0.0.1:9")
    assert seller_central_url("DE", "home", sandbox) == "http://127.0.0.1:9/home"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda url: url,
        lambda url: f"  {url}\n",
        lambda url: f'"{url}"',
        lambda url: f"<{url}>",
        lambda url: url.split("?", 1)[1],  # just the query string
        lambda url: url[:40] + "\n" + url[40:],  # wrapped by the terminal
    ],
)
def test_paste_the_redirect_in_any_reasonable_form(wrap, request_, clock):
    grant = parse_pasted(wrap(_redirect(request_.state)), request_, clock)
    assert grant.code == "ANabcdefghijklmnopqr"
    assert grant.selling_partner_id == "A3PNJAV4CVI5V1"


@pytest.mark.parametrize("text", ["ANabcdefghijklmnopqr", " 'ANabcdefghijklmnopqr'\r\n"])
def test_paste_a_bare_code(text, request_, clock):
    grant = parse_pasted(text, request_, clock)
    assert grant.code == "ANabcdefghijklmnopqr" and grant.selling_partner_id is None
    assert grant.state_checked is False  # the caller must warn: nothing tied it to this link
    full = parse_pasted(_redirect(request_.state), request_, clock)
    assert full.state_checked is True


@pytest.mark.parametrize("text", ["", "   ", "\n\n", '""'])
def test_empty_paste(text, request_, clock):
    with pytest.raises(EmptyPaste, match="Nothing was pasted"):
        parse_pasted(text, request_, clock)


def test_wrong_state_is_refused(request_, clock):
    with pytest.raises(StateMismatch) as exc:
        parse_pasted(_redirect("somebody-elses-state"), request_, clock)
    assert "does not belong to this connection" in exc.value.user_message


def test_missing_state_is_refused(request_, clock):
    with pytest.raises(StateMismatch):
        parse_pasted(f"{REDIRECT}?spapi_oauth_code=ANabcdefghijklmnopqr", request_, clock)


def test_expired_request(request_, clock):
    clock.advance(31 * 60)
    with pytest.raises(ConsentExpired, match="Start the connection again"):
        parse_pasted(_redirect(request_.state), request_, clock)


@pytest.mark.parametrize(
    "text",
    [
        f"{REDIRECT}?state=x&selling_partner_id=A3PNJAV4CVI5V1",
        "https://sellercentral.amazon.nl/home",
        "not a code!",
        "thanks a lot for the help",  # words, not a code: refused here, not by Amazon
        "ANshort",
    ],
)
def test_missing_code(text, request_, clock):
    with pytest.raises(MissingCode, match="spapi_oauth_code"):
        parse_pasted(text, request_, clock)


def test_pasting_the_consent_link_itself_explains_the_next_step(request_, clock):
    with pytest.raises(MissingCode, match="consent link itself"):
        parse_pasted(request_.url, request_, clock)


def test_pasting_a_refresh_token_is_not_a_code(request_, clock):
    with pytest.raises(MissingCode) as exc:
        parse_pasted("Atzr|IwEBIsecretsecretsecret", request_, clock)
    assert "secretsecret" not in str(exc.value)


@pytest.mark.parametrize("code", sorted(CONSENT_PAGE_ERRORS))
def test_amazon_error_page_pasted(code, request_, clock):
    page = f"We're sorry\nThe application could not be authorized.\nError code: {code}\n"
    with pytest.raises(AmazonConsentPageError) as exc:
        parse_pasted(page, request_, clock)
    assert exc.value.code == code
    message = exc.value.user_message
    assert code in message and CONSENT_PAGE_ERRORS[code] in message


def test_each_consent_page_error_says_what_to_do():
    assert "version=beta" in CONSENT_PAGE_ERRORS["MD1000"]
    assert "not registered" in CONSENT_PAGE_ERRORS["MD5101"]
    assert "#" in CONSENT_PAGE_ERRORS["MD5110"]
    assert "not currently eligible" in CONSENT_PAGE_ERRORS["MD9000"]
    assert "MWS" in CONSENT_PAGE_ERRORS["MD9010"]
    assert "cannot find the application" in CONSENT_PAGE_ERRORS["MD4100"]
