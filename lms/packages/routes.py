"""Every route of the packages feature."""

from lms.packages.api import PackagesController
from lms.packages.content import package_file
from lms.packages.pages import PackagePages

PACKAGE_ROUTES = [PackagesController, PackagePages, package_file]
