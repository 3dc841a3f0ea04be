"""The learning feature's controllers, added to the app in lms/routes.py."""

from lms.learning.api import CheckoffsController, EnrollmentsController, LearnersController, SessionsController
from lms.learning.lifecycle_api import EnrollmentLifecycleController
from lms.learning.lifecycle_pages import MovePages, UnenrolPages
from lms.learning.offline_pages import OfflinePages
from lms.learning.pages import CoursePages, LearningPages
from lms.learning.teach_pages import TeachPages

LEARNING_ROUTES = [
    EnrollmentsController,
    EnrollmentLifecycleController,
    LearnersController,
    SessionsController,
    CheckoffsController,
    CoursePages,
    LearningPages,
    OfflinePages,
    TeachPages,
    MovePages,
    UnenrolPages,
]
