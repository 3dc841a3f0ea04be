from types import SimpleNamespace
from uuid import uuid4

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from lms.accounts.auth import bearer_token, require_login, require_role
from lms.accounts.schemas import CurrentUser
from lms.schemas import safe_next


def _connection(role: str | None):
    user = (
        None
        if role is None
        else CurrentUser(
            id=uuid4(), email="a@example.org", display_name="A", role=role, clinic_id=None, local_id=None, language="en"
        )
    )
    return SimpleNamespace(scope={"user": user})


async def test_anonymous_callers_must_sign_in():
    with pytest.raises(NotAuthorizedException):
        await require_login(_connection(None), None)


async def test_roles_outside_the_list_are_refused():
    guard = require_role("instructor", "program_admin")
    await guard(_connection("instructor"), None)
    with pytest.raises(PermissionDeniedException):
        await guard(_connection("worker"), None)


def test_bearer_and_basic_tokens_are_read():
    import base64

    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("Basic " + base64.b64encode(b"me@example.org:tok").decode()) == "tok"
    assert bearer_token("Basic !!!") is None and bearer_token("Digest x") is None


def test_redirects_stay_on_this_site():
    assert safe_next("/courses/DA-IC-101") == "/courses/DA-IC-101"
    assert safe_next("//evil.example") == "/" and safe_next("https://evil.example") == "/"
