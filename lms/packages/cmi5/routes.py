"""The cmi5 launch's controllers."""

from lms.packages.cmi5.api import Cmi5AdminController, Cmi5FetchController
from lms.packages.cmi5.pages import Cmi5Pages, Cmi5ReturnPage

CMI5_ROUTES = [Cmi5FetchController, Cmi5AdminController, Cmi5Pages, Cmi5ReturnPage]
