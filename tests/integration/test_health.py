from __future__ import annotations

from litestar.testing import AsyncTestClient

from lms.app import create_app


async def test_ready_reports_both_dependencies_up(client):
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"database": True, "object_store": True, "shutting_down": False}


async def test_ready_is_503_when_the_object_store_does_not_answer(settings):
    from lms.embedded.ports import free_port

    unreachable = settings.replace(s3_endpoint_url=f"http://127.0.0.1:{free_port()}")
    async with AsyncTestClient(app=create_app(unreachable)) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["database"] is True and ready.json()["object_store"] is False
