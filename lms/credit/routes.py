"""The credit feature's controllers, for lms/routes.py."""

from lms.credit.api import (
    CertificatesController, ClinicCreditController, CredentialsController, PublicKeysController, TranscriptController,
)
from lms.credit.pages import CreditPages

CREDIT_ROUTES = [
    CertificatesController,
    CredentialsController,
    PublicKeysController,
    TranscriptController,
    ClinicCreditController,
    CreditPages,
]


def _issue_certificates_on_completion() -> None:
    """A completed enrolment gets its certificate in the completion transaction (registered once)."""
    from lms.credit.service import on_completion
    from lms.learning.completion import on_completed

    if on_completion not in on_completed:
        on_completed.append(on_completion)


_issue_certificates_on_completion()
