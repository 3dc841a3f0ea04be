"""Every controller the app serves, by feature."""

from lms.accounts.api import ClinicsController, MeController, UsersController
from lms.accounts.pages import AccountPages
from lms.catalog.api import AuthoringController, CatalogController
from lms.catalog.authoring_pages import AuthoringPages
from lms.catalog.pages import CatalogPages
from lms.health.api import HealthController

ROUTES = [
    HealthController,
    MeController,
    UsersController,
    ClinicsController,
    AccountPages,
    CatalogController,
    AuthoringController,
    CatalogPages,
    AuthoringPages,
]
