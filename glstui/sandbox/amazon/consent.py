"""Seller Central in the sandbox: the index page, the consent page and its confirmation (which
hands out an spapi_oauth_code) and the redirect page that shows the code."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from glstui.sandbox import pages
from glstui.sandbox.amazon.responses import Response, first_values, html_response
from glstui.sandbox.amazon.state import REDIRECT_PATH, ConsentCode, SimState


class ConsentMixin(SimState):
    def _index(self) -> Response:
        params = urlencode({"application_id": self.app_id, "state": "try-me"})
        html = (
            "<h1>glstui sandbox</h1><p>Simulated Amazon (Seller Central, Login with Amazon, "
            "Orders API) and GLS on loopback.</p>"
            f"<p><a href='/apps/authorize/consent?{params}'>Open a consent page</a></p>"
        )
        return html_response(200, pages._page("glstui sandbox", html))

    def _consent_error(self, code: str, message: str, status: int = 400) -> Response:
        return html_response(status, pages.error_page(code, message))

    def _consent(self, q: dict[str, str]) -> Response:
        app_id = q.get("application_id", "")
        if app_id.startswith("amzn1.application-oa2-client."):
            return self._consent_error(
                "MD1000", "The application id is not valid (this is an LWA client id)."
            )
        if app_id != self.app_id:
            return self._consent_error("MD4100", "Unable to find the application.")
        if self.app_draft and q.get("version") != "beta":
            return self._consent_error(
                "MD1000", "The application is in draft state: add version=beta to the link."
            )
        redirect = q.get("redirect_uri", "")
        if "#" in redirect:
            return self._consent_error("MD5110", "The redirect URI contains a fragment (#).")
        if redirect and redirect not in self.registered_redirects():
            return self._consent_error("MD5101", "The redirect URI is not registered.")
        if not q.get("state"):
            return self._consent_error("", "The request has no state parameter.")
        fields = {
            k: q[k] for k in ("application_id", "state", "redirect_uri", "version") if q.get(k)
        }
        return html_response(
            200, pages.consent_page(app_name=self.app_name, fields=fields, sellers=self.sellers)
        )

    def _confirm(self, form: dict[str, str]) -> Response:
        if form.get("action") != "confirm":
            return self._consent_error(
                "", "You cancelled the authorization: glstui demo was not given access.", 200
            )
        if form.get("application_id") != self.app_id or not form.get("state"):
            return self._consent_error("MD4100", "Unable to find the application.")
        if form.get("agree") not in ("yes", "on", "true"):
            fields = {
                k: form[k]
                for k in ("application_id", "state", "redirect_uri", "version")
                if form.get(k)
            }
            return html_response(
                400,
                pages.consent_page(
                    app_name=self.app_name,
                    fields=fields,
                    sellers=self.sellers,
                    message="Tick the box to confirm before you continue.",
                ),
            )
        seller = form.get("selling_partner_id") or self.default_seller
        if seller not in self.sellers:
            seller = self.default_seller
        redirect = form.get("redirect_uri") or self.registered_redirects()[0]
        code = "AN" + "".join(
            secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            for _ in range(18)
        )
        self._codes[code] = ConsentCode(seller, redirect, self.clock.now() + self.code_ttl)
        params = urlencode(
            {"state": form["state"], "selling_partner_id": seller, "spapi_oauth_code": code}
        )
        return Response(
            302,
            b"",
            {"Location": f"{redirect}?{params}"},
            "text/html",
            log_body={"action": "confirm"},
        )

    def _redirect_page(self, query: dict[str, list[str]]) -> Response:
        q = first_values(query)
        full = f"{self.base_url()}{REDIRECT_PATH}?{urlencode(q)}"
        return html_response(
            200,
            pages.redirect_page(
                full, q.get("spapi_oauth_code", ""), q.get("selling_partner_id", "")
            ),
        )
