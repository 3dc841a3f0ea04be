"""Every route of the packages feature."""

from litestar.types import ControllerRouterHandler

from lms.packages.api import PackagesController
from lms.packages.cmi5.routes import CMI5_ROUTES
from lms.packages.content import package_file
from lms.packages.pages import PackagePages
from lms.packages.scorm.pages import SCORM_ROUTES

PACKAGE_ROUTES: list[ControllerRouterHandler] = [
    PackagesController,
    PackagePages,
    package_file,
    *CMI5_ROUTES,
    *SCORM_ROUTES,
]
