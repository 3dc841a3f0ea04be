"""Every controller the app serves, by feature."""

from litestar.types import ControllerRouterHandler

from lms.accounts.api import ClinicsController, MeController, UsersController
from lms.accounts.pages import AccountPages
from lms.accounts.people_pages import PeoplePages
from lms.accounts.recovery_pages import RecoveryPages
from lms.authoring.api import DraftController
from lms.authoring.folder_pages import CopyPages
from lms.authoring.pages import BuildPages
from lms.authoring.preview_pages import PreviewPages
from lms.authoring.publish_pages import PublishPages
from lms.catalog.api import AuthoringController, CatalogController, LessonMediaController
from lms.catalog.authoring_pages import AuthoringPages
from lms.catalog.pages import CatalogPages
from lms.credit.routes import CREDIT_ROUTES
from lms.health.api import HealthController
from lms.learning.attempt_reset_pages import AttemptResetPages
from lms.learning.calendar_pages import CalendarPages
from lms.learning.routes import LEARNING_ROUTES
from lms.media.api import MediaController
from lms.media.pages import MediaPages
from lms.messages.pages import OutboxPages
from lms.packages.routes import PACKAGE_ROUTES
from lms.programs.routes import PROGRAM_ROUTES
from lms.reports.routes import REPORT_ROUTES
from lms.xapi.routes import XAPI_ROUTES

ROUTES: list[ControllerRouterHandler] = [
    HealthController,
    MeController,
    UsersController,
    ClinicsController,
    AccountPages,
    RecoveryPages,
    PeoplePages,
    OutboxPages,
    CalendarPages,
    AttemptResetPages,
    CatalogController,
    AuthoringController,
    DraftController,
    CatalogPages,
    AuthoringPages,
    BuildPages,
    PublishPages,
    PreviewPages,
    CopyPages,
    MediaController,
    LessonMediaController,
    MediaPages,
    *LEARNING_ROUTES,
    *CREDIT_ROUTES,
    *REPORT_ROUTES,
    *PROGRAM_ROUTES,
    *PACKAGE_ROUTES,
    *XAPI_ROUTES,
]
