"""The lesson player's offline queue (lms/static/player.js), run in Node against a real server: taps while offline are
kept on the phone, a double tap is one statement, and when the connection returns the queue is sent, once, and a
statement the server refuses does not hold back the others. Skipped where Node is not installed."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from pathlib import Path

import pytest

from lms.app import STATIC_DIR
from tests.integration.learning_fixtures import CODE, basic, hybrid_course, queued_statement
from tests.integration.test_learning_concurrency import replica

NODE = shutil.which("node")

# A phone, as far as player.js can tell: a page with "mark as done" forms, localStorage, a connection that drops.
HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const [source, base, token, userId, statementsJson, badJson] = process.argv.slice(2);
const statements = JSON.parse(statementsJson);
const handlers = {};
const store = {};
const posted = [];
function element(attrs) {
  return { attrs, hidden: true, textContent: "", disabled: false, listeners: {},
    getAttribute(name) { return name in this.attrs ? this.attrs[name] : null; },
    addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); },
    querySelector(sel) { return sel === "button" ? this.button : null; },
    submit() { this.submitted = true; } };
}
const forms = statements.map((s) => { const f = element({"data-xapi-statement": JSON.stringify(s), "data-next": "/next"}); f.button = element({}); return f; });
const status = element({"data-xapi-user": userId, "data-saved": "SAVED", "data-waiting": "WAITING", "data-sent": "SENT", "data-signin": "SIGNIN"});
const offlineNext = element({});
const navigator = { onLine: false };
const location = { href: "/lesson", assigned: null, assign(url) { this.assigned = url; } };
const document = { hidden: false, addEventListener() {},
  querySelector(sel) { return {"[data-queue-status]": status, "[data-xapi-user]": status, "[data-offline-next]": offlineNext}[sel] || null; },
  querySelectorAll(sel) { return sel === "form[data-xapi-statement]" ? forms : []; } };
const window = {
  location, setInterval() {},
  localStorage: { getItem: (k) => (k in store ? store[k] : null), setItem: (k, v) => { store[k] = String(v); } },
  addEventListener(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
  fetch(url, options) {
    if (!navigator.onLine) { return Promise.reject(new TypeError("Failed to fetch")); }
    posted.push(JSON.parse(options.body).length);
    return fetch(base + url, { ...options, headers: { ...options.headers, Authorization: "Bearer " + token } });
  },
};
const key = "lms.xapi.queue.v1." + userId;
const queue = () => JSON.parse(store[key] || "[]");
const settle = () => new Promise((r) => setTimeout(r, 50));
(async () => {
  vm.runInNewContext(fs.readFileSync(source, "utf8"), { window, document, navigator, Promise, JSON, Date });
  const submit = (form) => form.listeners.submit.forEach((fn) => fn({ preventDefault() {} }));
  submit(forms[0]); await settle();
  const afterFirst = { queued: queue().length, status: status.textContent, nextShown: !offlineNext.hidden };
  submit(forms[0]); submit(forms[1]); await settle();          // a double tap, and the next lesson
  const offlineQueue = queue().length;
  store[key] = JSON.stringify(queue().concat([JSON.parse(badJson)]));  // something the server will refuse
  navigator.onLine = true;
  await Promise.all(handlers.online.map((fn) => fn())); await settle();
  console.log(JSON.stringify({ afterFirst, offlineQueue, left: queue().length, posted, status: status.textContent }));
})();
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
async def test_the_player_keeps_progress_offline_and_sends_it_once_when_back_online(
    client, conn, settings, tmp_path: Path
):
    cast = await hybrid_course(conn, browser=False)
    await client.post("/api/v1/enrollments", json={"code": CODE}, headers=basic(cast.worker_token))
    lessons = [a["key"] for a in cast.activities if a["kind"] == "lesson"][:2]
    statements = [
        queued_statement((await client.get(f"/courses/{CODE}/v/1/{key}", headers=basic(cast.worker_token))).text)
        for key in lessons
    ]
    bad = {
        **statements[0],
        "id": str(uuid.uuid4()),
        "actor": {"account": {"homePage": "http://127.0.0.1:8000", "name": str(uuid.uuid4())}},
    }
    harness = tmp_path / "phone.js"
    harness.write_text(HARNESS)

    async with replica(settings) as url:
        node = await asyncio.create_subprocess_exec(
            NODE,
            str(harness),
            str(STATIC_DIR / "player.js"),
            url,
            cast.worker_token,
            str(cast.worker.id),
            json.dumps(statements),
            json.dumps(bad),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(node.communicate(), timeout=60)
    assert node.returncode == 0, err.decode()
    phone = json.loads(out.decode().strip().splitlines()[-1])

    assert phone["afterFirst"] == {"queued": 1, "status": "SAVED", "nextShown": True}
    assert phone["offlineQueue"] == 2
    assert phone["left"] == 0 and phone["status"] == "SENT"
    assert phone["posted"][0] == 3  # one batch first; refused whole, then one by one
    stored = await conn.fetch("SELECT id FROM statements WHERE user_id = $1", cast.worker.id)
    assert sorted(str(r["id"]) for r in stored) == sorted(s["id"] for s in statements)
    progress = await conn.fetch(
        "SELECT activity_key FROM activity_progress WHERE user_id = $1 AND done", cast.worker.id
    )
    assert sorted(r["activity_key"] for r in progress) == sorted(lessons)
