"""The programs' controllers, for lms/routes.py."""

from lms.programs.api import MyProgramsController
from lms.programs.apprenticeship.pages import ApprenticeshipPages
from lms.programs.content.pages import ContentPages
from lms.programs.pages import ProgramsHome
from lms.programs.pathways.ladder_pages import LadderPages
from lms.programs.pathways.pages import PathwayPages
from lms.programs.preceptorship.pages import PreceptorshipPages
from lms.programs.proposals.pages import ProposalPages
from lms.programs.standards.pages import StandardsPages
from lms.programs.tuition.pages import TuitionPages

PROGRAM_ROUTES = [
    MyProgramsController,
    ProgramsHome,
    ApprenticeshipPages,
    ProposalPages,
    PreceptorshipPages,
    TuitionPages,
    PathwayPages,
    LadderPages,
    StandardsPages,
    ContentPages,
]
