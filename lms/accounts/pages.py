"""HTML: sign in, sign out, the language switch, and the profile page with API tokens."""

from __future__ import annotations

from typing import Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts import queries, recovery, service
from lms.accounts.auth import SESSION_COOKIE, require_login
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.accounts.secrets import token_hash
from lms.deps import Db, MaybeUser, SettingsDep, Tx, User
from lms.errors import Conflict, Invalid, TooMany, shown
from lms.i18n import LANGUAGE_COOKIE, ui_language
from lms.messages.service import CHANNELS, OPT_OUT_GROUPS
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


class ContactForm(Form):
    email: str = ""
    phone: str = ""


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", operation_id="page_login")
    async def login_form(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Template:
        return page(request, "accounts/login.html.jinja2", next=safe_next(next), email="", error=None)

    @post("/login", operation_id="page_login_submit")
    async def login(
        self,
        request: Request[Any, Any, Any],
        state: State,
        settings: SettingsDep,
        data: URLEncodedBody[LoginForm],
    ) -> Template | Redirect:
        try:
            cookie = await recovery.sign_in(
                state,
                identifier=data.email[:254],
                password=data.password[:1000],
                address=request.client.host if request.client else "",
            )
        except (Invalid, TooMany) as exc:
            error = "throttled" if isinstance(exc, TooMany) else "mismatch"
            status = 429 if isinstance(exc, TooMany) else 400
            return page(
                request,
                "accounts/login.html.jinja2",
                status=status,
                next=safe_next(data.next),
                email=data.email,
                error=error,
            )
        return Redirect(
            safe_next(data.next),
            status_code=303,
            cookies=[
                Cookie(
                    key=SESSION_COOKIE,
                    value=cookie,
                    httponly=True,
                    samesite="lax",
                    secure=settings.cookie_secure,
                    max_age=settings.session_hours * 3600,
                    path="/",
                )
            ],
        )

    @post("/logout", operation_id="page_logout")
    async def logout(self, request: Request[Any, Any, Any], tx: Tx) -> Redirect:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            await queries.delete_session(tx, token_hash(cookie))
        return Redirect("/", status_code=303, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])

    @post("/language", operation_id="page_set_language")
    async def set_language(
        self,
        tx: Tx,
        user: MaybeUser,
        settings: SettingsDep,
        data: URLEncodedBody[LanguageForm],
    ) -> Redirect:
        language = ui_language(data.language) or "en"
        if user is not None:
            await queries.set_language(tx, user.id, language)
        return Redirect(
            safe_next(data.next),
            status_code=303,
            cookies=[
                Cookie(
                    key=LANGUAGE_COOKIE,
                    value=language,
                    max_age=365 * 86400,
                    path="/",
                    samesite="lax",
                    secure=settings.cookie_secure,
                )
            ],
        )

    @get("/profile", operation_id="page_profile", guards=[require_login])
    async def profile(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return await profile_page(request, db, user)

    @post("/profile/tokens", operation_id="page_profile_token_create", guards=[require_login])
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        data: URLEncodedBody[TokenForm],
    ) -> Template:
        created = await service.create_token(tx, user_id=user.id, label=data.label[:100])
        return await profile_page(request, tx, user, new_token=created)

    @post("/profile/contact", operation_id="page_profile_contact", guards=[require_login])
    async def contact(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, data: URLEncodedBody[ContactForm]
    ) -> Template | Redirect:
        try:
            await service.change_contact(tx, user_id=user.id, email=data.email, phone=data.phone)
        except (Invalid, Conflict) as exc:
            return await profile_page(request, tx, user, contact_error=shown(request, exc), status=400)
        return Redirect("/profile?changed=contact", status_code=303)

    @post("/profile/messages", operation_id="page_profile_messages", guards=[require_login])
    async def message_choices(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Redirect:
        form = await request.form()
        await service.set_message_choices(tx, user_id=user.id, wanted=set(form.getall("wanted", [])))
        return Redirect("/profile?changed=messages", status_code=303)


async def profile_page(
    request: Request[Any, Any, Any], conn: Any, user: CurrentUser, *, status: int = 200, **context: Any
) -> Template:
    """The profile: contact details she can remove, messages she wants, password, sessions, and API tokens for those
    who use them (staff, or a worker who already made one)."""
    details = await service.profile_details(conn, user.id)
    tokens = await queries.list_tokens(conn, user_id=user.id)
    context.setdefault("new_token", None)
    return page(
        request,
        "accounts/profile.html.jinja2",
        status=status,
        details=details,
        tokens=tokens,
        groups=OPT_OUT_GROUPS,
        channels=CHANNELS,
        changed=request.query_params.get("changed"),
        **context,
    )
