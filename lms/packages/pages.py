"""HTML for instructors: a course's packages, importing a zip, and putting its units into the draft."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, PathParameter
from litestar.response import Redirect, Template

from lms.accounts.auth import STAFF, require_role
from lms.catalog.content import Package
from lms.catalog.service import load_draft
from lms.deps import Db, SettingsDep, StorageDep, Tx, User
from lms.errors import Invalid, NotFound, shown
from lms.i18n import N_
from lms.packages import importing, queries, service
from lms.packages.content import content_url
from lms.packages.manifests import is_absolute
from lms.packages.player import player_page
from lms.packages.schemas import FORMAT_NAMES
from lms.packages.upload import UPLOAD_CAP, minutes_from, read_upload
from lms.schemas import INT4_MAX
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
Position = Annotated[int, PathParameter(ge=1, le=INT4_MAX)]


class PackagePages(Controller):
    path = "/author/{code:str}/packages"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/", operation_id="page_author_packages")
    async def packages(
        self, request: Request[Any, Any, Any], db: Db, user: User, settings: SettingsDep, code: Code
    ) -> Template:
        return await _list_page(request, db, user, settings, code)

    @post("/", operation_id="page_author_package_import", request_max_body_size=UPLOAD_CAP)
    async def import_package(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        settings: SettingsDep,
        user: User,
        code: Code,
    ) -> Redirect | Template:
        try:
            fileobj, filename, fields = await read_upload(request, settings)
            imported = await importing.import_package(
                tx,
                storage,
                settings,
                code=code,
                editor=user,
                fileobj=fileobj,
                filename=filename,
                language=fields.get("language", ""),
            )
        except Invalid as exc:
            return await _list_page(request, tx, user, settings, code, status=400, error=exc)
        return Redirect(f"/author/{code}/packages/{imported.id}", status_code=303)

    @get("/{package_id:uuid}", operation_id="page_author_package")
    async def package(
        self, request: Request[Any, Any, Any], db: Db, user: User, code: Code, package_id: FromPath[UUID]
    ) -> Template:
        return await _package_page(request, db, user, code, package_id)

    @get("/{package_id:uuid}/play/{position:int}", operation_id="page_author_package_play")
    async def play(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: User,
        settings: SettingsDep,
        code: Code,
        package_id: FromPath[UUID],
        position: Position,
    ) -> Template:
        """An author tries a unit in the player, as learners see it (with no launch behind it: nothing is recorded)."""
        if await queries.editable_course(db, code=code, editor=user) is None:
            raise NotFound(N_("no course %(code)s that you may change"), params={"code": code})
        package = await queries.get_package(db, code=code, package_id=package_id)
        unit = next((u for u in package.units if u.position == position), None) if package else None
        if package is None or unit is None:
            raise NotFound(
                N_("no unit %(position)s in package %(package_id)s of course %(code)s"),
                params={"position": position, "package_id": package_id, "code": code},
            )
        url = (
            unit.launch
            if is_absolute(unit.launch)
            else content_url(settings, package_id=package_id, path=unit.launch, scope=f"preview:{user.id}", hours=2)
        )
        return player_page(
            request,
            iframe_url=url,
            back_url=f"/author/{code}/packages/{package_id}",
            title=unit.title.get(package.language) or unit.unit_id,
            title_lang=package.language,
        )

    @post("/{package_id:uuid}", operation_id="page_author_package_attach")
    async def attach(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code, package_id: FromPath[UUID]
    ) -> Redirect | Template:
        form = await request.form()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        package = await queries.get_package(tx, code=code, package_id=package_id)
        if package is None:
            raise NotFound(
                N_("no package %(package_id)s in course %(code)s"), params={"package_id": package_id, "code": code}
            )
        try:
            minutes = minutes_from(fields, [u.unit_id for u in package.units])
            await service.attach_to_draft(
                tx, code=code, editor=user, package_id=package_id, module=fields.get("module", ""), minutes=minutes
            )
        except Invalid as exc:
            return await _package_page(
                request, tx, user, code, package_id, status=400, error=shown(request, exc), fields=fields
            )
        return Redirect(f"/author/{code}?saved=true", status_code=303)


async def _list_page(
    request: Request[Any, Any, Any],
    db: Any,
    user: Any,
    settings: Any,
    code: str,
    *,
    status: int = 200,
    error: Invalid | None = None,
) -> Template:
    doc = await load_draft(db, code, editor=user)
    problems = (error.extra.get("problems") or []) if error else []
    return page(
        request,
        "packages/author_packages.html.jinja2",
        status=status,
        doc=doc,
        packages=await queries.course_packages(db, code=code),
        format_names=FORMAT_NAMES,
        error=shown(request, error) if error and not problems else None,
        problems=problems,
        max_mb=settings.package_max_mb,
    )


async def _package_page(
    request: Request[Any, Any, Any],
    db: Any,
    user: Any,
    code: str,
    package_id: UUID,
    *,
    status: int = 200,
    error: str | None = None,
    fields: dict[str, str] | None = None,
) -> Template:
    doc = await load_draft(db, code, editor=user)
    package = await queries.get_package(db, code=code, package_id=package_id)
    if package is None:
        raise NotFound(
            N_("no package %(package_id)s in course %(code)s"), params={"package_id": package_id, "code": code}
        )
    shown = {
        ref.unit: a.key
        for m in doc.modules
        for a in m.activities
        if isinstance(a, Package)
        for ref in a.package.values()
    }
    return page(
        request,
        "packages/author_package.html.jinja2",
        status=status,
        doc=doc,
        package=package,
        shown=shown,
        format_names=FORMAT_NAMES,
        error=error,
        fields=fields or {},
    )
