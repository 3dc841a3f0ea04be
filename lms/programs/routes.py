"""The programs' controllers, for lms/routes.py."""

from lms.programs.apprenticeship.pages import ApprenticeshipPages
from lms.programs.pages import ProgramsHome

PROGRAM_ROUTES = [ProgramsHome, ApprenticeshipPages]
