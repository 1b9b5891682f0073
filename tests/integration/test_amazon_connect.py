"""Connecting a shop end to end over HTTP: consent link -> sandbox Seller Central page ->
Confirm -> redirect page -> paste -> code exchange -> refresh token -> access tokens."""

from __future__ import annotations

import html
import logging
import re

import httpx
import pytest

from glstui.amazon.client import AppCredentials
from glstui.amazon.consent import (
    AmazonConsentPageError,
    ConsentRequest,
    StateMismatch,
    parse_pasted,
    start_consent,
)
from glstui.amazon.endpoints import Endpoints
from glstui.amazon.errors import AmazonError, CodeExchangeFailed, GrantRevoked, InvalidClient
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID

NL = "A1805IZSGTT6HS"


def _form_fields(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(r"name='([^']+)' value='([^']*)'", page)}


async def approve(http: httpx.AsyncClient, url: str, *, agree: bool = True) -> httpx.Response:
    """What the operator does in the browser: open the link, tick the box, click Confirm."""
    page = await http.get(url)
    assert page.status_code == 200, page.text
    assert "glstui demo" in page.text and "Direct-to-Consumer Delivery" in page.text
    assert "I direct Amazon to provide glstui demo access to my Selling Partner account" in (
        " ".join(page.text.split())
    )
    fields = _form_fields(page.text)
    data = {k: v for k, v in fields.items() if k in ("application_id", "state", "redirect_uri")}
    data.update(action="confirm", selling_partner_id=DEMO_SELLER_ID)
    if agree:
        data["agree"] = "yes"
    base = str(page.url).split("/apps/")[0]
    return await http.post(f"{base}/apps/authorize/confirm", data=data)


def _consent(sandbox, **kw) -> ConsentRequest:
    return start_consent(Endpoints.sandbox(sandbox.base_url), DEMO_APP_ID, NL, sandbox.clock, **kw)


async def test_connect_a_shop_through_the_consent_page(sandbox, http, amazon_client):
    request = _consent(sandbox)
    confirm = await approve(http, request.url)
    assert confirm.status_code == 302
    location = confirm.headers["location"]
    assert location.startswith(f"{sandbox.base_url}/glstui/redirect?")
    landing = await http.get(location)
    assert landing.status_code == 200
    assert landing.headers["referrer-policy"] == "no-referrer"
    shown_url = html.unescape(re.search(r"<pre id='url'>([^<]+)</pre>", landing.text)[1])
    shown_code = re.search(r"<pre id='code'>([^<]+)</pre>", landing.text)[1]

    grant = parse_pasted("  " + shown_url + "\n", request, sandbox.clock)
    assert grant.code == shown_code
    assert grant.selling_partner_id == DEMO_SELLER_ID

    refresh = await amazon_client.exchange_code(grant.code)
    assert refresh.startswith("Atzr|")
    # the exchange also handed out an access token: the first API call needs no LWA call
    await amazon_client.get_order(refresh, "EU", next(iter(sandbox.orders)))
    assert len(sandbox.requests("/auth/o2/token")) == 1


async def test_redirect_uri_is_sent_and_must_match(sandbox, http, amazon_client):
    redirect = f"{sandbox.base_url}/glstui/redirect"
    request = _consent(sandbox, redirect_uri=redirect)
    confirm = await approve(http, request.url)
    grant = parse_pasted(confirm.headers["location"], request, sandbox.clock)
    with pytest.raises(CodeExchangeFailed):
        await amazon_client.exchange_code(grant.code, redirect_uri="https://elsewhere.example/")
    # a failed exchange with the wrong redirect does not use the code up
    assert (await amazon_client.exchange_code(grant.code, redirect_uri=redirect)).startswith(
        "Atzr|"
    )


async def test_consent_needs_the_checkbox(sandbox, http):
    confirm = await approve(http, _consent(sandbox).url, agree=False)
    assert confirm.status_code == 400 and "Tick the box" in confirm.text


async def test_cancel_shows_an_error_page(sandbox, http):
    request = _consent(sandbox)
    page = await http.get(request.url)
    data = {**_form_fields(page.text), "action": "cancel"}
    resp = await http.post(f"{sandbox.base_url}/apps/authorize/confirm", data=data)
    assert resp.status_code == 200 and "cancelled" in resp.text
    assert "location" not in resp.headers


@pytest.mark.parametrize(
    ("app_id", "extra", "code"),
    [
        ("amzn1.sp.solution.unknown", {}, "MD4100"),
        (DEMO_CLIENT_ID, {}, "MD1000"),  # the LWA client id instead of the app id
        (DEMO_APP_ID, {"redirect_uri": "https://not-registered.example/"}, "MD5101"),
        (DEMO_APP_ID, {"redirect_uri": "http://127.0.0.1/glstui/redirect#x"}, "MD5110"),
    ],
)
async def test_consent_page_errors_and_pasting_them(sandbox, http, app_id, extra, code):
    request = start_consent(Endpoints.sandbox(sandbox.base_url), app_id, NL, sandbox.clock, **extra)
    page = await http.get(request.url)
    assert page.status_code == 400
    assert f"Error code: {code}" in page.text
    text_of_page = re.sub(r"<[^>]+>", " ", page.text)
    with pytest.raises(AmazonConsentPageError) as exc:
        parse_pasted(text_of_page, request, sandbox.clock)
    assert exc.value.code == code


async def test_draft_app_needs_version_beta(make_sandbox, http):
    sb = make_sandbox(app_draft=True)
    eps = Endpoints.sandbox(sb.base_url)
    plain = start_consent(eps, DEMO_APP_ID, NL, sb.clock)
    assert "MD1000" in (await http.get(plain.url)).text
    beta = start_consent(eps, DEMO_APP_ID, NL, sb.clock, beta=True)
    assert (await approve(http, beta.url)).status_code == 302


async def test_someone_elses_redirect_is_refused(sandbox, http):
    mine, theirs = _consent(sandbox), _consent(sandbox)
    confirm = await approve(http, theirs.url)
    with pytest.raises(StateMismatch):
        parse_pasted(confirm.headers["location"], mine, sandbox.clock)


async def test_code_is_single_use(sandbox, http, amazon_client):
    request = _consent(sandbox)
    grant = parse_pasted(
        (await approve(http, request.url)).headers["location"], request, sandbox.clock
    )
    await amazon_client.exchange_code(grant.code)
    with pytest.raises(CodeExchangeFailed) as exc:
        await amazon_client.exchange_code(grant.code)
    assert "5 minutes" in exc.value.user_message and "only once" in exc.value.user_message
    assert grant.code not in str(exc.value)


async def test_code_expires_after_five_simulated_minutes(sandbox, http, amazon_client):
    request = _consent(sandbox)
    grant = parse_pasted(
        (await approve(http, request.url)).headers["location"], request, sandbox.clock
    )
    sandbox.clock.advance(5 * 60 + 1)
    with pytest.raises(CodeExchangeFailed):
        await amazon_client.exchange_code(grant.code)


async def test_access_token_is_cached_and_refreshed_before_expiry(sandbox, make_client):
    now = [0.0]
    client = make_client(sandbox, monotonic=lambda: now[0])
    refresh = sandbox.issue_refresh_token()
    order_id = next(iter(sandbox.orders))
    for _ in range(5):
        await client.get_order(refresh, "EU", order_id)
    assert len(sandbox.requests("/auth/o2/token")) == 1
    # 3600 s token at 60x = 60 real s; refreshed 60 Amazon seconds (1 real s) before that
    now[0] = (3600 - 61) / 60
    await client.get_order(refresh, "EU", order_id)
    assert len(sandbox.requests("/auth/o2/token")) == 1
    now[0] = (3600 - 59) / 60
    await client.get_order(refresh, "EU", order_id)
    assert len(sandbox.requests("/auth/o2/token")) == 2
    assert [r.json for r in sandbox.requests("/auth/o2/token")] == [
        {"grant_type": "refresh_token"}
    ] * 2


async def test_each_shop_has_its_own_access_token(sandbox, amazon_client):
    a = sandbox.issue_refresh_token()
    b = sandbox.issue_refresh_token("A2GLSDEMOSHOP7")
    await amazon_client.get_order(a, "EU", next(iter(sandbox.orders)))
    await amazon_client.get_order(b, "EU", next(iter(sandbox.orders_of("A2GLSDEMOSHOP7"))))
    await amazon_client.get_order(a, "EU", next(iter(sandbox.orders)))
    assert len(sandbox.requests("/auth/o2/token")) == 2


async def test_revoked_grant(sandbox, amazon_client, refresh_token):
    await amazon_client.get_order(refresh_token, "EU", next(iter(sandbox.orders)))
    sandbox.revoke(refresh_token)
    with pytest.raises(GrantRevoked) as exc:
        await amazon_client.get_order(refresh_token, "EU", next(iter(sandbox.orders)))
    assert "Re-connect this shop" in exc.value.user_message


async def test_revoke_every_token_of_a_seller(sandbox, amazon_client):
    tokens = [sandbox.issue_refresh_token() for _ in range(2)]
    other = sandbox.issue_refresh_token("A2GLSDEMOSHOP7")
    sandbox.revoke(seller_id=sandbox.amazon.default_seller)
    for token in tokens:
        with pytest.raises(GrantRevoked):
            await amazon_client.check_refresh_token(token)
    await amazon_client.check_refresh_token(other)


async def test_wrong_client_secret(sandbox, make_client, refresh_token):
    bad = AppCredentials(DEMO_APP_ID, DEMO_CLIENT_ID, "amzn1.oa2-cs.v1.wrongwrongwrong")
    client = make_client(sandbox, credentials=bad)
    with pytest.raises(InvalidClient) as exc:
        await client.check_refresh_token(refresh_token)
    assert "Keys" in exc.value.user_message
    assert "wrongwrong" not in str(exc.value)


async def test_no_secret_in_errors_or_logs(sandbox, http, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    refresh = sandbox.issue_refresh_token()
    client = make_client(sandbox)
    order_id = next(iter(sandbox.orders))
    await client.get_order(refresh, "EU", order_id)
    access = next(iter(sandbox.amazon._access))
    errors: list[AmazonError] = []
    sandbox.faults.add("expired_access_token")
    await client.get_order(refresh, "EU", order_id)  # refreshes once, quietly
    sandbox.faults.add("500", count=None)
    try:
        await client.get_order(refresh, "EU", order_id)
    except AmazonError as e:
        errors.append(e)
    sandbox.faults.clear()
    sandbox.revoke(refresh)
    try:
        await client.get_order(refresh, "EU", order_id)
    except AmazonError as e:
        errors.append(e)
    bad = make_client(
        sandbox, credentials=AppCredentials(DEMO_APP_ID, DEMO_CLIENT_ID, "amzn1.oa2-cs.v1.nope")
    )
    try:
        await bad.exchange_code("ANsecretcodesecretcode")
    except AmazonError as e:
        errors.append(e)
    try:
        await client.exchange_code("ANsecretcodesecretcode")
    except AmazonError as e:
        errors.append(e)
    assert [type(e).__name__ for e in errors] == [
        "AmazonApiError",
        "GrantRevoked",
        "InvalidClient",
        "CodeExchangeFailed",
    ]
    secrets = [refresh, access, DEMO_CLIENT_SECRET, "amzn1.oa2-cs.v1.nope", "ANsecretcode"]
    secrets += [t.split("|", 1)[1][:12] for t in (refresh, access)]
    texts = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [e.user_message for e in errors] + [caplog.text, repr(client.lwa._cache)]
    texts.append(repr(AppCredentials(DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)))
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert "request id" in errors[0].user_message
