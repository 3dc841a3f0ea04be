"""The LRS's controllers, added to the app in lms/routes.py."""

from lms.xapi.api import XapiAboutController, XapiActivitiesController, XapiAgentsController, XapiStatementsController
from lms.xapi.clients_api import LrsClientsController
from lms.xapi.documents_api import XapiActivityProfileController, XapiAgentProfileController, XapiStateController
from lms.xapi.pages import LrsClientPages

XAPI_ROUTES = [
    XapiAboutController,
    XapiStatementsController,
    XapiStateController,
    XapiActivityProfileController,
    XapiAgentProfileController,
    XapiActivitiesController,
    XapiAgentsController,
    LrsClientsController,
    LrsClientPages,
]
