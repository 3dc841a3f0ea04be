"""Reading an uploaded package zip from a multipart request, refused by its declared length before any byte is read.

The zip comes through the service, not straight to the store like media: every file in it must be checked and
unpacked anyway, and Litestar spools the upload to a temporary file rather than memory.
"""

from __future__ import annotations

from typing import IO, Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException

from lms.errors import Invalid, TooLarge
from lms.i18n import N_
from lms.settings import Settings

# The most any upload route of packages reads at all (Litestar refuses a larger Content-Length before reading a byte,
# also when the CSRF check reads the form); LMS_PACKAGE_MAX_MB, at most this, is checked in the handler.
UPLOAD_CAP = 2_000_000_000


async def read_upload(request: Request[Any, Any, Any], settings: Settings) -> tuple[IO[bytes], str, dict[str, str]]:
    """The uploaded ``file`` (its open file and name) and the form's text fields."""
    limit = settings.package_max_mb * 1_000_000
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise HTTPException(
            status_code=411, detail=N_("file: send the zip as a multipart/form-data upload with a Content-Length")
        )
    if int(length) > limit:
        raise TooLarge(
            N_("file: the package is larger than %(mb)s MB, the limit for a package"),
            field="file",
            params={"mb": settings.package_max_mb},
        )
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise Invalid(N_("file: send the zip as a multipart/form-data upload"), field="file")
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid(N_("file: choose the package's zip file"), field="file")
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    return upload.file, upload.filename.replace("\\", "/").rsplit("/", 1)[-1], fields


def minutes_from(fields: dict[str, str], unit_ids: list[str]) -> dict[str, int]:
    """``minutes.<n>`` (n = the unit's position) as whole minutes per unit id; a field left empty is not given."""
    out: dict[str, int] = {}
    for position, unit_id in enumerate(unit_ids, start=1):
        raw = fields.get(f"minutes.{position}", "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) > 6000:
            raise Invalid(
                N_("minutes.%(position)s: give the contact minutes of %(unit_id)s as a whole number up to 6000"),
                params={"position": position, "unit_id": unit_id},
                field=f"minutes.{position}",
            )
        out[unit_id] = int(raw)
    return out
