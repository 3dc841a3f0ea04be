"""The programs' controllers, for lms/routes.py."""

from lms.programs.apprenticeship.pages import ApprenticeshipPages
from lms.programs.pages import ProgramsHome
from lms.programs.pathways.pages import PathwayPages
from lms.programs.preceptorship.pages import PreceptorshipPages
from lms.programs.tuition.pages import TuitionPages

PROGRAM_ROUTES = [ProgramsHome, ApprenticeshipPages, PreceptorshipPages, TuitionPages, PathwayPages]
