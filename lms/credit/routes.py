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
    """A completed enrolment gets its certificate in the completion transaction, and a corrected one has it superseded
    or revoked in the correcting transaction (registered once)."""
    from lms.credit.corrections import on_record_corrected
    from lms.credit.service import on_completion
    from lms.learning.completion import on_completed, on_corrected

    if on_completion not in on_completed:
        on_completed.append(on_completion)
    if on_record_corrected not in on_corrected:
        on_corrected.append(on_record_corrected)


_issue_certificates_on_completion()
