"""Tuition reimbursement over HTTP: a worker applies, her clinic returns the request with a reason, she fixes it, her
clinic and then the partnership approve it within the yearly cap, the payment is recorded, and she sees each step;
receipts go straight to the real object store and are checked by their bytes; reports by clinic, field and term; no
one outside her, her clinic's admins and the program admins sees the request or its amounts."""

from __future__ import annotations

import csv
import html
import io
import re

import httpx
import pytest

from tests.integration.programs_world import build, get_page, post_form

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
async def world(conn):
    return await build(conn)


APPLICATION = {
    "field": "nursing",
    "program": "Vocational Nursing (LVN)",
    "school": "City College",
    "term": "Fall",
    "year": "2026",
    "cost": "3,200.00",
}


async def status_of(client, world, request_id: str) -> str:
    page = await get_page(client, f"/programs/tuition/{request_id}", world["ana"])
    assert page.status_code == 200
    return re.search(r'<p id="status"><span class="tag status-([a-z_]+)">', page.text).group(1)


async def test_a_request_goes_through_the_clinic_and_the_partnership_and_is_paid(client, conn, world):
    bad = await post_form(client, "/programs/tuition", world["ana"], {**APPLICATION, "cost": "lots"})
    assert bad.status_code == 400 and "cost" in bad.text
    assert await conn.fetchval("SELECT count(*) FROM tuition_requests") == 0
    made = await post_form(client, "/programs/tuition", world["ana"], APPLICATION)
    assert made.status_code == 303, made.text
    request_id = made.headers["location"].rsplit("/", 1)[1]
    assert await status_of(client, world, request_id) == "submitted"

    for outsider in ("bea", "carl", "admin_b", "mentor"):
        assert (await get_page(client, f"/programs/tuition/{request_id}", world[outsider])).status_code in (403, 404), (
            outsider
        )
    early = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["program"], {"decision": "approve"}
    )
    assert early.status_code == 409  # the clinic decides first
    elsewhere = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["admin_b"], {"decision": "approve"}
    )
    assert elsewhere.status_code == 404
    no_reason = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["admin_a"], {"decision": "return"}
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    returned = await post_form(
        client,
        f"/programs/tuition/{request_id}/decision",
        world["admin_a"],
        {"decision": "return", "reason": "Attach the fall term's invoice, not the spring one."},
    )
    assert returned.status_code == 303
    assert await status_of(client, world, request_id) == "returned"
    page = await get_page(client, f"/programs/tuition/{request_id}", world["ana"])
    assert "Attach the fall term&#39;s invoice" in page.text and "Fix and send again" in page.text

    fixed = await post_form(client, f"/programs/tuition/{request_id}", world["ana"], {**APPLICATION, "cost": "6000"})
    assert fixed.status_code == 303
    assert await status_of(client, world, request_id) == "submitted"
    assert (
        await post_form(client, f"/programs/tuition/{request_id}/decision", world["admin_a"], {"decision": "approve"})
    ).status_code == 303
    assert await status_of(client, world, request_id) == "clinic_approved"
    not_clinic = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["admin_a"], {"decision": "approve"}
    )
    assert not_clinic.status_code == 409

    over_cap = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["program"], {"decision": "approve", "amount": "6000"}
    )
    assert over_cap.status_code == 400 and "cap" in over_cap.text and "5,250.00" in over_cap.text
    approved = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["program"], {"decision": "approve", "amount": "5250"}
    )
    assert approved.status_code == 303
    assert await status_of(client, world, request_id) == "approved"
    paid = await post_form(client, f"/programs/tuition/{request_id}/decision", world["program"], {"decision": "pay"})
    assert paid.status_code == 303
    assert await status_of(client, world, request_id) == "paid"
    page = await get_page(client, f"/programs/tuition/{request_id}", world["ana"])
    assert "Partnership approved $5,250.00" in page.text and "Paid $5,250.00" in page.text
    mine = await get_page(client, "/programs/tuition", world["ana"])
    assert "$5,250.00 approved of the $5,250.00" in mine.text

    # a second request the same year finds no room left under the cap
    second = (
        (await post_form(client, "/programs/tuition", world["ana"], {**APPLICATION, "cost": "100"}))
        .headers["location"]
        .rsplit("/", 1)[1]
    )
    await post_form(client, f"/programs/tuition/{second}/decision", world["admin_a"], {"decision": "approve"})
    refused = await post_form(client, f"/programs/tuition/{second}/decision", world["program"], {"decision": "approve"})
    assert refused.status_code == 400 and "0.00 remains" in refused.text

    for by, first in (("clinic", "Clinic A"), ("field", "nursing"), ("term", "Fall 2026")):
        report = await client.get(f"/programs/tuition/report.csv?by={by}", headers=world["program"].headers)
        rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
        assert rows[0] == [by, "requests", "workers", "requested", "approved", "paid"]
        assert rows[1] == [first, "2", "1", "6,100.00", "5,250.00", "5,250.00"], by
    other = await client.get("/programs/tuition/report.csv?by=clinic", headers=world["admin_b"].headers)
    assert len(list(csv.reader(io.StringIO(other.content.decode("utf-8-sig"))))) == 1  # clinic B: nothing of clinic A
    assert (await client.get("/programs/tuition/report.csv", headers=world["ana"].headers)).status_code == 403


async def send_file(client, world, request_id: str, name: str, body: bytes, content_type: str) -> httpx.Response:
    asked = await post_form(
        client, f"/programs/tuition/{request_id}/documents", world["ana"], {"kind": "receipt", "file": name}
    )
    assert asked.status_code == 200, asked.text
    form = re.search(
        r'<form method="post" action="([^"]+)" enctype="multipart/form-data"[^>]*id="send-file-form">(.*?)</form>',
        asked.text,
        re.S,
    )
    fields = {
        html.unescape(k): html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    }
    async with httpx.AsyncClient() as store:
        sent = await store.post(html.unescape(form.group(1)), data=fields, files={"file": (name, body, content_type)})
    assert sent.status_code == 303, sent.text  # the store sends the browser back to the service
    back = sent.headers["location"].replace("http://testserver.local", "")
    return await get_page(client, back, world["ana"])


async def test_receipts_go_to_the_store_and_are_checked_by_their_bytes(client, conn, world):
    request_id = (
        (await post_form(client, "/programs/tuition", world["ana"], APPLICATION)).headers["location"].rsplit("/", 1)[1]
    )
    wrong_type = await post_form(
        client, f"/programs/tuition/{request_id}/documents", world["ana"], {"kind": "receipt", "file": "receipt.docx"}
    )
    assert wrong_type.status_code == 400 and "PDF, JPEG or PNG" in wrong_type.text
    not_hers = await post_form(
        client, f"/programs/tuition/{request_id}/documents", world["bea"], {"kind": "receipt", "file": "r.pdf"}
    )
    assert not_hers.status_code == 404

    checked = await send_file(client, world, request_id, "recibo de otoño.pdf", PDF, "application/pdf")
    assert checked.status_code == 303 and checked.headers["location"].endswith("?uploaded=1")
    document = await conn.fetchrow("SELECT id, status, filename FROM tuition_documents")
    assert document["status"] == "ready" and document["filename"] == "recibo-de-otono.pdf"
    download = await client.get(
        f"/programs/tuition/{request_id}/documents/{document['id']}",
        headers=world["admin_a"].headers,
        follow_redirects=False,
    )
    assert download.status_code == 303
    async with httpx.AsyncClient() as store:
        got = await store.get(download.headers["location"])
    assert got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert (
        await client.get(
            f"/programs/tuition/{request_id}/documents/{document['id']}",
            headers=world["admin_b"].headers,
            follow_redirects=False,
        )
    ).status_code == 404

    # a web page named .pdf: refused once its bytes are read, and removed from the store and the request
    page = await send_file(
        client, world, request_id, "grades.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    assert page.status_code == 400 and "not the PDF, JPEG or PNG" in page.text
    assert await conn.fetchval("SELECT count(*) FROM tuition_documents") == 1
