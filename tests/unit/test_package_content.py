"""The content origin: where package files are served, and the tokens that let a launch read them."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import msgspec
from litestar.exceptions import NotFoundException

from lms.catalog.content import CourseDoc, doc_problems
from lms.packages.content import ContentOriginSplit, content_headers, content_url, make_token, read_token
from lms.settings import Settings

SETTINGS = Settings(secret_key="k" * 40, public_base_url="http://127.0.0.1:8110")


def test_the_content_origin_is_another_host_name_than_the_service():
    assert SETTINGS.content_origin_url == "http://localhost:8110"
    assert (
        Settings(public_base_url="https://learn.example.org").content_origin_url == "https://content.learn.example.org"
    )
    assert Settings(content_origin="https://pkg.example.net/").content_origin_url == "https://pkg.example.net"
    _, problems = Settings.read_env(
        {"LMS_PUBLIC_BASE_URL": "https://learn.example.org", "LMS_CONTENT_ORIGIN": "https://learn.example.org:444"}
    )
    assert any("LMS_CONTENT_ORIGIN" in p for p in problems)


async def test_each_origin_answers_only_its_own_routes_and_follows_the_apps_settings():
    split, answered = ContentOriginSplit(), []
    app = SimpleNamespace(state=SimpleNamespace(settings=SETTINGS))

    async def next_app(scope, receive, send):
        answered.append(scope["path"])

    async def ask(host: str, path: str, *, content_route: bool) -> bool:
        handler = SimpleNamespace(opt={"content_origin": True} if content_route else {})
        scope = {"app": app, "path": path, "route_handler": handler, "headers": [(b"host", host.encode())]}
        try:
            await split.handle(scope, None, None, next_app)  # type: ignore[arg-type]
        except NotFoundException:
            return False
        return True

    assert await ask("127.0.0.1:8110", "/courses", content_route=False)
    assert await ask("LOCALHOST:8110", "/content/t/f", content_route=True)
    assert not await ask("localhost:8110", "/courses", content_route=False)
    assert not await ask("127.0.0.1:8110", "/content/t/f", content_route=True)
    # The host is kept per Settings object: an app given other settings is judged by the new content origin.
    app.state.settings = SETTINGS.replace(content_origin="https://pkg.example.net")
    assert not await ask("localhost:8110", "/content/t/f", content_route=True)
    assert await ask("pkg.example.net", "/content/t/f", content_route=True)
    assert answered == ["/courses", "/content/t/f", "/content/t/f"]


def test_a_token_opens_its_own_package_for_its_launch_only_until_it_expires():
    package = uuid4()
    token = make_token(SETTINGS, package_id=package, scope="launch-1")
    assert read_token(SETTINGS, token) == (package, "launch-1")
    body, _, signature = token.partition(".")
    assert read_token(SETTINGS, body + "." + signature[::-1]) is None
    assert (
        read_token(SETTINGS, make_token(SETTINGS, package_id=package, scope="x").split(".")[0] + "." + signature)
        is None
    )
    assert read_token(Settings(secret_key="o" * 40), token) is None  # another deployment's secret
    assert read_token(SETTINGS, make_token(SETTINGS, package_id=package, scope="s", hours=-1 / 3600)) is None
    assert read_token(SETTINGS, "garbage") is None and read_token(SETTINGS, "") is None


def test_a_file_url_keeps_the_package_path_and_its_query():
    url = content_url(SETTINGS, package_id=uuid4(), path="au1/index.html?x=1&y=2", scope="launch-2")
    origin, _, rest = url.partition("/content/")
    token, _, path = rest.partition("/")
    assert origin == "http://localhost:8110" and path == "au1/index.html?x=1&y=2" and read_token(SETTINGS, token)


def test_content_may_be_framed_by_the_service_only():
    csp = content_headers(SETTINGS)["content-security-policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:8110" in csp and "connect-src 'self' http://127.0.0.1:8110" in csp


def doc(package: dict) -> CourseDoc:
    return msgspec.convert(
        {
            "code": "PKG-101",
            "track": "MA",
            "languages": ["en", "es"],
            "title": {"en": "T", "es": "T"},
            "summary": {"en": "S", "es": "S"},
            "modules": [
                {
                    "key": "m",
                    "title": {"en": "M", "es": "M"},
                    "activities": [
                        {
                            "kind": "package",
                            "key": "a",
                            "minutes": 10,
                            "title": {"en": "A", "es": "A"},
                            "package": package,
                        }
                    ],
                }
            ],
        },
        CourseDoc,
    )


def test_a_package_activity_names_a_package_or_a_zip_in_one_of_the_course_languages():
    def problems(package):
        return [m for _, m in doc_problems(doc(package))]

    ok = {"en": {"package": str(uuid4()), "unit": "u1"}}
    assert problems(ok) == []
    assert any("names no package" in m for m in problems({}))
    assert any("give either package" in m for m in problems({"en": {"unit": "u1"}}))
    assert any(
        "not one of the course's languages" in m for m in problems({"fr": {"package": str(uuid4()), "unit": "u1"}})
    )
