"""Every route of the packages feature."""

from lms.packages.api import PackagesController
from lms.packages.cmi5.routes import CMI5_ROUTES
from lms.packages.content import package_file
from lms.packages.pages import PackagePages
from lms.packages.scorm.pages import SCORM_ROUTES

PACKAGE_ROUTES = [PackagesController, PackagePages, package_file, *CMI5_ROUTES, *SCORM_ROUTES]
