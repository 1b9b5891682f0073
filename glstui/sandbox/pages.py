"""HTML of the simulated Seller Central consent page, its error page and the redirect page."""

from __future__ import annotations

from html import escape

_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;background:#f3f3f3;color:#0f1111;margin:0}
header{background:#232f3e;color:#fff;padding:12px 24px;font-weight:bold}
main{max-width:640px;margin:32px auto;background:#fff;padding:24px 32px;border-radius:8px;
border:1px solid #d5d9d9}
h1{font-size:22px}.role{background:#f7fafa;border:1px solid #d5d9d9;padding:8px 12px}
button{padding:8px 20px;margin-right:12px;border-radius:20px;border:1px solid #888;
cursor:pointer}.confirm{background:#ffd814;border-color:#fcd200}
code,pre{background:#f7fafa;border:1px solid #d5d9d9;padding:8px;display:block;
word-break:break-all;white-space:pre-wrap;font-size:15px}.err{color:#b12704}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><meta name='referrer' content='no-referrer'>"
        f"<style>{_STYLE}</style></head><body><header>amazon seller central "
        f"<small>(glstui sandbox)</small></header><main>{body}</main></body></html>"
    )


def consent_page(
    *,
    app_name: str,
    fields: dict[str, str],
    sellers: dict[str, str],
    message: str = "",
) -> str:
    hidden = "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in fields.items()
    )
    options = "".join(
        f"<option value='{escape(sid)}'>{escape(name)} ({escape(sid)})</option>"
        for sid, name in sellers.items()
    )
    note = f"<p class='err'>{escape(message)}</p>" if message else ""
    body = f"""
<h1>Authorize {escape(app_name)}</h1>
<p><b>{escape(app_name)}</b> is requesting access to your Selling Partner account
with the following role:</p>
<p class='role'><b>Direct-to-Consumer Delivery</b> (Restricted): ship orders directly to
customers using their carrier of choice. Operations that require this role use
personally identifiable information (PII) to enable shipping.</p>
{note}
<form method='post' action='/apps/authorize/confirm'>
{hidden}
<p><label>Selling account: <select name='selling_partner_id'>{options}</select></label></p>
<p><label><input type='checkbox' name='agree' value='yes'>
I direct Amazon to provide {escape(app_name)} access to my Selling Partner account and
related data, and I acknowledge that {escape(app_name)} is responsible for the use of
that data.</label></p>
<p><button class='confirm' type='submit' name='action' value='confirm'>Confirm</button>
<button type='submit' name='action' value='cancel'>Cancel</button></p>
</form>"""
    return _page(f"Authorize {app_name}", body)


def error_page(code: str, message: str) -> str:
    label = f"Error code: {escape(code)}" if code else "Error"
    body = f"""
<h1>We're sorry</h1>
<p class='err'>{escape(message)}</p>
<p><b>{label}</b></p>
<p>Go back to the application and start the authorization again.</p>"""
    return _page("Authorization error", body)


def redirect_page(full_url: str, code: str, selling_partner_id: str) -> str:
    body = f"""
<h1>Almost done: copy this address back into glstui</h1>
<p>Amazon has authorized glstui for selling account <b>{escape(selling_partner_id)}</b>.
Copy the whole address below (or the code) and paste it into glstui
within 5 minutes.</p>
<p>Address of this page:</p>
<pre id='url'>{escape(full_url)}</pre>
<p>Authorization code (spapi_oauth_code):</p>
<pre id='code'>{escape(code)}</pre>"""
    return _page("glstui: paste this address back", body)
