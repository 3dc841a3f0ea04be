"""HTML: sign in, sign out, the language switch, and the profile page with API tokens."""

from __future__ import annotations

from typing import Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from lms.deps import Db, MaybeUser, SettingsDep, Tx, User
from lms.accounts import queries, service
from lms.accounts.auth import SESSION_COOKIE, require_login
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.accounts.secrets import token_hash
from lms.errors import Invalid, TooMany
from lms.i18n import LANGUAGE_COOKIE, ui_language
from lms.schemas import Form, safe_next
from lms.settings import Settings  # noqa: F401 (see lms.deps)
from lms.web import page


class LoginForm(Form):
    email: str = ""
    password: str = ""
    next: str = "/"


class LanguageForm(Form):
    language: str = "en"
    next: str = "/"


class TokenForm(Form):
    label: str = ""


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", operation_id="page_login")
    async def login_form(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Template:
        return page(request, "accounts/login.html.jinja2", next=safe_next(next), email="", error=None)

    @post("/login", operation_id="page_login_submit")
    async def login(
        self, request: Request[Any, Any, Any], tx: Tx, settings: SettingsDep,
        data: URLEncodedBody[LoginForm],
    ) -> Template | Redirect:
        try:
            cookie = await service.login(
                tx, email=data.email, password=data.password,
                max_failures=settings.login_max_failures, session_hours=settings.session_hours,
            )
        except (Invalid, TooMany) as exc:
            error = "throttled" if isinstance(exc, TooMany) else "mismatch"
            status = 429 if isinstance(exc, TooMany) else 400
            return page(request, "accounts/login.html.jinja2", status=status, next=safe_next(data.next), email=data.email, error=error)
        return Redirect(
            safe_next(data.next), status_code=303,
            cookies=[Cookie(key=SESSION_COOKIE, value=cookie, httponly=True, samesite="lax", secure=settings.cookie_secure,
                            max_age=settings.session_hours * 3600, path="/")],
        )

    @post("/logout", operation_id="page_logout")
    async def logout(self, request: Request[Any, Any, Any], tx: Tx) -> Redirect:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            await queries.delete_session(tx, token_hash(cookie))
        return Redirect("/", status_code=303, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])

    @post("/language", operation_id="page_set_language")
    async def set_language(
        self, tx: Tx, user: MaybeUser, settings: SettingsDep,
        data: URLEncodedBody[LanguageForm],
    ) -> Redirect:
        language = ui_language(data.language) or "en"
        if user is not None:
            await queries.set_language(tx, user.id, language)
        return Redirect(
            safe_next(data.next), status_code=303,
            cookies=[Cookie(key=LANGUAGE_COOKIE, value=language, max_age=365 * 86400, path="/", samesite="lax",
                            secure=settings.cookie_secure)],
        )

    @get("/profile", operation_id="page_profile", guards=[require_login])
    async def profile(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        tokens = await queries.list_tokens(db, user_id=user.id)
        return page(request, "accounts/profile.html.jinja2", tokens=tokens, new_token=None)

    @post("/profile/tokens", operation_id="page_profile_token_create", guards=[require_login])
    async def create_token(
        self, request: Request[Any, Any, Any], tx: Tx, user: User,
        data: URLEncodedBody[TokenForm],
    ) -> Template:
        created = await service.create_token(tx, user_id=user.id, label=data.label[:100])
        tokens = await queries.list_tokens(tx, user_id=user.id)
        return page(request, "accounts/profile.html.jinja2", tokens=tokens, new_token=created)
