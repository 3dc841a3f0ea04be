"""The reports feature's controllers, for lms/routes.py."""

from lms.reports.api import ClinicReportsController, ProgramReportsController, SurveysController
from lms.reports.pages import ReportPages
from lms.reports.survey_pages import SurveyAdminPages, SurveyPages

REPORT_ROUTES = [
    ProgramReportsController,
    ClinicReportsController,
    SurveysController,
    ReportPages,
    SurveyAdminPages,
    SurveyPages,
]
