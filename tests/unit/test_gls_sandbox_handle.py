"""The GLS sandbox itself: routing and auth like APIM, GLS's envelope, real label files."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess

import pytest

from glstui.gls.labels import LabelFileError, check_zpl, inspect_pdf, label_kind, suffix_for
from glstui.sandbox.gls import (
    GLS_DEMO_PASSWORD,
    GLS_DEMO_SUBSCRIPTION_KEY,
    GLS_DEMO_USERNAME,
    GlsSandbox,
    build_pdf,
    itf_modules,
)

KEY = {"Ocp-Apim-Subscription-Key": GLS_DEMO_SUBSCRIPTION_KEY}
CREDS = {"username": GLS_DEMO_USERNAME, "password": GLS_DEMO_PASSWORD}


def create_body(**over):
    body = {
        **CREDS,
        "reference": "028-1234567-1234567",
        "labelType": "pdf",
        "units": [{"unitId": "u1", "weight": 1.0}],
        "addresses": {
            "deliveryAddress": {
                "name1": "Jürgen Müller",
                "street": "Hauptstraße",
                "houseNo": "5",
                "houseNoExt": "a",
                "zipCode": "10115",
                "city": "Berlin",
                "countryCode": "DE",
            }
        },
    }
    body.update(over)
    return body


def call(sb, path, body=None, headers=KEY, method="POST", query=None):
    raw = json.dumps(body).encode() if body is not None else b""
    status, hdrs, out = sb.handle(method, path, query or {"api-version": ["1.0"]}, headers, raw)
    assert hdrs["Content-Type"].startswith("application/json")
    return status, json.loads(out)


def test_paths_are_case_insensitive_and_both_environments_answer():
    sb = GlsSandbox()
    for path in (
        "/V1/api/Authentication/ValidateLogin",
        "/Test/V1/api/Authentication/ValidateLogin",
        "/test/v1/api/authentication/validatelogin",
    ):
        status, data = call(sb, path, CREDS)
        assert status == 200
        assert data["error"] is False and data["status"] == "200" and data["errors"] == {}
        assert len(data["transactionId"]) == 36


def test_unknown_paths_and_methods_are_404():
    sb = GlsSandbox()
    assert call(sb, "/V1/api/Label/Nope", CREDS)[0] == 404
    assert call(sb, "/V1/api/Label/Create", CREDS, method="GET")[0] == 404
    assert call(sb, "/orders/v0/orders", CREDS)[0] == 404


def test_subscription_key_checked_like_apim():
    sb = GlsSandbox()
    status, data = call(sb, "/V1/api/Label/Create", create_body(), headers={})
    assert status == 401 and "missing subscription key" in data["message"]
    status, data = call(sb, "/V1/api/Label/Create", create_body(), headers={"x": "y"} | {
        "ocp-apim-subscription-key": "nope"})  # fmt: skip
    assert status == 401 and "invalid subscription key" in data["message"]
    assert sb.labels == {}


def test_wrong_login_gets_the_401_envelope():
    sb = GlsSandbox()
    status, data = call(sb, "/V1/api/Label/Create", create_body(password="x"))
    assert status == 401
    assert data["error"] is True and data["status"] == "401"
    assert sb.labels == {}


def test_unsupported_api_version_and_bad_json():
    sb = GlsSandbox()
    assert call(sb, "/V1/api/Label/Create", create_body(), query={"api-version": "2.0"})[0] == 400
    status, _, out = sb.handle("POST", "/V1/api/Label/Create", {}, KEY, b"{not json")
    assert status == 400 and json.loads(out)["status"] == "400"


def test_field_limits_give_422_with_errors_map():
    sb = GlsSandbox()
    body = create_body(reference="R" * 21, units=[{"unitId": "u1", "weight": 40}])
    body["addresses"]["deliveryAddress"].update(street="S" * 41, houseNo="123456", name1="")
    status, data = call(sb, "/V1/api/Label/Create", body)
    assert status == 422
    assert data["error"] is True and data["status"] == "422"
    assert set(data["errors"]) == {
        "reference",
        "units[0].weight",
        "addresses.deliveryAddress.street",
        "addresses.deliveryAddress.houseNo",
        "addresses.deliveryAddress.name1",
    }
    assert all(isinstance(v, list) and v for v in data["errors"].values())


def test_request_log_never_holds_the_password():
    sb = GlsSandbox()
    call(sb, "/V1/api/Label/Create", create_body())
    (entry,) = sb.request_log
    assert entry.status == 200 and entry.path == "/V1/api/Label/Create"
    assert "password" not in entry.body and entry.body["username"] == GLS_DEMO_USERNAME
    assert GLS_DEMO_PASSWORD not in repr(sb.request_log)


def test_unit_numbers_are_deterministic_per_seed():
    def numbers(seed):
        sb = GlsSandbox(seed=seed)
        body = create_body(units=[{"unitId": "a", "weight": 1}, {"unitId": "b", "weight": 2}])
        return [u["unitNo"] for u in call(sb, "/V1/api/Label/Create", body)[1]["units"]]

    first = numbers(7)
    assert first == numbers(7)
    assert first != numbers(8)
    assert len(set(first)) == 2 and all(len(n) == 14 and n.isdigit() for n in first)


def test_success_envelope_has_what_tig_reads():
    sb = GlsSandbox()
    status, data = call(sb, "/V1/api/Label/Create", create_body(labelType="pdfA6U"))
    assert status == 200
    for key in ("transactionId", "shipmentTrackingLink", "labels", "units"):
        assert data[key]
    (unit,) = data["units"]
    for key in ("unitId", "unitNo", "uniqueNo", "label", "unitTrackingLink"):
        assert unit[key]
    assert sb.labels[unit["unitNo"]]["state"] == "created"


def test_delete_unknown_and_twice():
    sb = GlsSandbox()
    unit_no = call(sb, "/V1/api/Label/Create", create_body())[1]["units"][0]["unitNo"]
    assert call(sb, "/V1/api/Label/Delete", {**CREDS, "unitNo": unit_no})[0] == 200
    assert sb.labels[unit_no]["state"] == "deleted"
    status, data = call(sb, "/V1/api/Label/Delete", {**CREDS, "unitNo": unit_no})
    assert status == 400 and data["errors"]["unitNo"]  # GLS lists no 422 for Label/Delete
    status, data = call(sb, "/V1/api/Label/Delete", {**CREDS, "unitNo": "12345678901234"})
    assert status == 400 and data["status"] == "400" and data["errors"]["unitNo"]


def test_faults_are_used_up_in_order():
    sb = GlsSandbox()
    sb.fail_next(503, count=2)
    sb.fail_next(500)
    statuses = [call(sb, "/V1/api/Authentication/ValidateLogin", CREDS)[0] for _ in range(4)]
    assert statuses == [503, 503, 500, 200]
    sb.slow_next(0.0)
    assert call(sb, "/V1/api/Authentication/ValidateLogin", CREDS)[0] == 200
    sb.fail_next(504, count=5)
    sb.clear_faults()
    assert call(sb, "/V1/api/Authentication/ValidateLogin", CREDS)[0] == 200


# --- label files -----------------------------------------------------------------------


def label_of(label_type, units=1, **over):
    sb = GlsSandbox()
    body = create_body(
        labelType=label_type,
        units=[{"unitId": f"u{i}", "weight": 1.0} for i in range(units)],
        **over,
    )
    status, data = call(sb, "/V1/api/Label/Create", body)
    assert status == 200
    return data


@pytest.mark.parametrize(
    ("label_type", "units", "pages"),
    [("pdf", 3, 3), ("pdfA6U", 2, 2), ("pdfA6S", 1, 1), ("pdf2A4", 3, 2), ("pdf4A4", 5, 2)],
)
def test_pdf_labels_are_well_formed(label_type, units, pages):
    data = label_of(label_type, units)
    pdf = base64.b64decode(data["labels"])
    info = inspect_pdf(pdf, strict=True)
    assert info.version == "1.4" and info.pages == pages
    for unit in data["units"]:
        assert unit["unitNo"].encode() in pdf
    assert b"10115" in pdf and b"Berlin" in pdf and b"028-1234567-1234567" in pdf
    assert b"M\\374ller" in pdf  # ü in WinAnsi, escaped


def test_pdf_checker_finds_broken_files():
    good = build_pdf([b"BT /F1 10 Tf 10 10 Td (x) Tj ET"], 298, 420)
    assert inspect_pdf(good, strict=True).pages == 1
    assert inspect_pdf(good + b"\r\n  \n").pages == 1  # GLS's trailing whitespace
    with pytest.raises(LabelFileError):
        inspect_pdf(b"hello")
    with pytest.raises(LabelFileError):
        inspect_pdf(good[:-40])
    shifted = good.replace(b"/Producer (glstui sandbox)", b"/Producer (glstui sandbox!)")
    with pytest.raises(LabelFileError, match="startxref"):
        inspect_pdf(shifted)
    # same length, but the xref entry of object 2 points one byte off
    table = good.index(b"xref\n")
    entry = table + len(b"xref\n0 9\n") + 2 * 20
    offset = int(good[entry : entry + 10])
    wrong = good[:entry] + b"%010d" % (offset + 1) + good[entry + 10 :]
    assert inspect_pdf(wrong).pages == 1  # the lenient check does not read every entry
    with pytest.raises(LabelFileError, match="xref offset of object 2"):
        inspect_pdf(wrong, strict=True)


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None and not os.environ.get("CI"),
    reason="poppler-utils not installed (under CI=true this fails instead: .ci/run installs it)",
)
def test_pdf_label_renders_with_pdftoppm(tmp_path):
    pdf = base64.b64decode(label_of("pdfA6U", 2)["labels"])
    (tmp_path / "label.pdf").write_bytes(pdf)
    done = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(tmp_path / "label.pdf"), str(tmp_path / "page")],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert b"Syntax Error" not in done.stderr and b"Syntax Warning" not in done.stderr
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 2
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)


@pytest.mark.parametrize("label_type", ["zpl", "zplUtf8", "zpl300"])
def test_zpl_labels(label_type):
    data = label_of(label_type, 2)
    zpl = base64.b64decode(data["labels"])
    assert label_kind(zpl) == "zpl" and suffix_for(zpl) == ".zpl"
    assert check_zpl(zpl) == 2
    text = zpl.decode("utf-8")
    assert "^CI28" in text and "Jürgen Müller" in text and "10115  Berlin" in text
    for unit in data["units"]:
        one = base64.b64decode(unit["label"]).decode()
        assert one.startswith("^XA") and one.endswith("^XZ")
        assert f"^B2N,200,Y,N,N^FD{unit['unitNo']}^FS" in one


def test_zpl_field_data_cannot_break_out():
    data = label_of("zpl", 1, reference="ref^XZ~x")
    text = base64.b64decode(data["labels"]).decode()
    assert check_zpl(text.encode()) == 1
    assert "ref XZ x" in text


def test_no_label_for_type_none():
    data = label_of("none", 1)
    assert data["labels"] is None and "label" not in data["units"][0]


def test_label_kind():
    assert label_kind(b"%PDF-1.7 ...") == "pdf"
    assert label_kind(b"\n^XA^FO1,1^XZ") == "zpl"
    assert label_kind(b"") is None and label_kind(b"GIF89a") is None
    assert suffix_for(b"%PDF-1.4") == ".pdf"
    with pytest.raises(LabelFileError):
        check_zpl(b"^XA no end")


def test_itf_barcode_encoding():
    modules = itf_modules("56570010000001")
    assert len(modules) == 4 + 14 * 5 + 3
    assert [k for _, k in modules[:4]] == ["n"] * 4  # start: narrow bar/space/bar/space
    assert [k for _, k in modules[-3:]] == ["w", "n", "n"]  # stop: wide bar, space, bar
    # every digit has exactly two wide elements
    body = modules[4:-3]
    bars, spaces = body[0::2], body[1::2]
    for i in range(7):
        assert sum(k == "w" for _, k in bars[i * 5 : i * 5 + 5]) == 2
        assert sum(k == "w" for _, k in spaces[i * 5 : i * 5 + 5]) == 2
    assert len(itf_modules("123")) == len(itf_modules("0123"))  # odd length is padded
