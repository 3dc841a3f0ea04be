"""HTML: forgot password, reset by link or code, change password, sign out everywhere, and a clinic admin's reset code."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts import recovery
from lms.accounts.auth import ADMINS, SESSION_COOKIE, require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.accounts.secrets import token_hash
from lms.deps import Db, SettingsDep, Tx, User
from lms.errors import Invalid, shown
from lms.i18n import LANGUAGE_COOKIE, UI_LANGUAGES, base_language, set_request_language
from lms.schemas import Form
from lms.settings import Settings  # noqa: F401 (see lms.deps)
from lms.web import page


class ForgotForm(Form):
    email: str = ""


class ResetForm(Form):
    code: str = ""
    new_password: str = ""
    end_sessions: str = ""
    revoke_tokens: str = ""


class ChangeForm(Form):
    current_password: str = ""
    new_password: str = ""
    end_sessions: str = ""
    revoke_tokens: str = ""


class EverywhereForm(Form):
    revoke_tokens: str = ""


def _in_her_language(request: Request[Any, Any, Any], holder: Any) -> None:
    """The page a reset link opens speaks the language of the person it was sent to, unless this browser chose one."""
    if holder is not None and LANGUAGE_COOKIE not in request.cookies:
        language = base_language(holder["language"])
        if language in UI_LANGUAGES:
            set_request_language(request, language)


def _ended_cookie() -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")


class RecoveryPages(Controller):
    include_in_schema = False

    @get("/password/forgot", operation_id="page_password_forgot")
    async def forgot_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "accounts/forgot.html.jinja2", sent=False)

    @post("/password/forgot", operation_id="page_password_forgot_submit")
    async def forgot(self, request: Request[Any, Any, Any], state: State, data: URLEncodedBody[ForgotForm]) -> Template:
        await recovery.request_reset(state, identifier=data.email[:254])
        return page(request, "accounts/forgot.html.jinja2", sent=True)

    @get("/password/reset/{secret:str}", operation_id="page_password_reset")
    async def reset_form(self, request: Request[Any, Any, Any], db: Db, secret: FromPath[str]) -> Template:
        holder = await recovery.reset_holder(db, secret[:100])
        _in_her_language(request, holder)
        return page(
            request,
            "accounts/reset.html.jinja2",
            status=200 if holder else 400,
            by_code=False,
            holder=dict(holder) if holder else None,
            error=None if holder else recovery.NOT_VALID,
        )

    @post("/password/reset/{secret:str}", operation_id="page_password_reset_submit")
    async def reset(
        self, request: Request[Any, Any, Any], tx: Tx, secret: FromPath[str], data: URLEncodedBody[ResetForm]
    ) -> Template | Redirect:
        return await self._redeem(request, tx, secret[:100], data, by_code=False)

    @get("/password/code", operation_id="page_password_code")
    async def code_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "accounts/reset.html.jinja2", by_code=True, holder=None, error=None)

    @post("/password/code", operation_id="page_password_code_submit")
    async def code(
        self, request: Request[Any, Any, Any], tx: Tx, data: URLEncodedBody[ResetForm]
    ) -> Template | Redirect:
        return await self._redeem(request, tx, recovery.clean_code(data.code[:40]), data, by_code=True)

    async def _redeem(
        self, request: Request[Any, Any, Any], tx: Any, secret: str, data: ResetForm, *, by_code: bool
    ) -> Template | Redirect:
        if not by_code:
            _in_her_language(request, await recovery.reset_holder(tx, secret))
        try:
            await recovery.redeem(
                tx,
                secret=secret,
                new=data.new_password,
                end_sessions=bool(data.end_sessions),
                revoke_tokens=bool(data.revoke_tokens),
            )
        except Invalid as exc:
            holder = None if by_code else await recovery.reset_holder(tx, secret)
            return page(
                request,
                "accounts/reset.html.jinja2",
                status=400,
                by_code=by_code,
                holder=dict(holder) if holder else None,
                error=shown(request, exc),
                field=exc.field,
            )
        return Redirect("/login?reset=1", status_code=303, cookies=[_ended_cookie()])

    @post("/profile/password", operation_id="page_profile_password", guards=[require_login])
    async def change(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        data: URLEncodedBody[ChangeForm],
    ) -> Template | Redirect:
        cookie = request.cookies.get(SESSION_COOKIE)
        try:
            await recovery.change_password(
                tx,
                settings,
                user=user,
                current=data.current_password,
                new=data.new_password,
                end_sessions=bool(data.end_sessions),
                revoke_tokens=bool(data.revoke_tokens),
                keep_session=token_hash(cookie) if cookie else None,
            )
        except Invalid as exc:
            from lms.accounts.pages import profile_page

            return await profile_page(request, tx, user, password_error=shown(request, exc), status=400)
        return Redirect("/profile?changed=password", status_code=303)

    @post("/profile/sign-out-everywhere", operation_id="page_profile_sign_out_everywhere", guards=[require_login])
    async def everywhere(self, tx: Tx, user: User, data: URLEncodedBody[EverywhereForm]) -> Redirect:
        await recovery.sign_out_everywhere(tx, user_id=user.id, revoke_tokens=bool(data.revoke_tokens))
        return Redirect("/", status_code=303, cookies=[_ended_cookie()])

    @post("/people/{user_id:uuid}/reset-code", operation_id="page_people_reset_code", guards=[require_role(*ADMINS)])
    async def issue_code(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, settings: SettingsDep, user_id: FromPath[UUID]
    ) -> Template:
        code = await recovery.issue_code(tx, settings, admin=user, user_id=user_id)
        person = await recovery.q.clinic_member(tx, admin_role=user.role, admin_clinic=user.clinic_id, user_id=user_id)
        return page(
            request,
            "accounts/reset_code.html.jinja2",
            code=code,
            person=dict(person or {}),
            hours=settings.reset_code_hours,
        )
