"""Bodies a client can send in encodings that do not exist or bytes that are no text: a 400
in the protocol's language (JSON for the API, a page in Chinese for the console), never a 500
(a trial's `charset=bogus`, raw 0xff bytes and cut multipart bodies were all 500s)."""
from __future__ import annotations

import pytest

from jiefen.gateway import make_app


@pytest.fixture
async def client(aiohttp_client, ctx):
    return await aiohttp_client(make_app(ctx, run_outbox=False))


@pytest.mark.parametrize("content_type, body", [
    ("application/json; charset=bogus", '{"text": "你好"}'.encode()),
    ("application/json; charset=utf-8", b'{"text": "\\xff\\xfe"}'.replace(b"\\\\x", b"\\x")),
    ("application/json", b"\xff\xfe\x00"),
])
async def test_the_web_chat_refuses_a_body_it_cannot_read(client, content_type, body):
    r = await client.post("/api/messages", data=body, headers={"Content-Type": content_type})
    assert r.status in (200, 400), (r.status, await r.text())


async def login_form(client):
    page = await (await client.get("/console/login")).text()
    import re
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", b"csrf=CSRF&staff_id=\xff\xfe&password=x"),
    ("application/x-www-form-urlencoded; charset=bogus", b"csrf=CSRF&staff_id=a&password=x"),
    ("multipart/form-data; boundary=xx", b"--xx\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nCSRF\r\n"),
    ("multipart/form-data", b"csrf=CSRF"),
])
async def test_the_console_login_refuses_a_form_it_cannot_read(client, content_type, body):
    csrf = await login_form(client)
    r = await client.post("/console/login", data=body.replace(b"CSRF", csrf.encode()),
                          headers={"Content-Type": content_type})
    text = await r.text()
    assert r.status == 400 and "<html" in text, (r.status, text[:200])
