"""The credit feature's controllers, for lms/routes.py."""

from lms.credit.api import (
    CertificatesController,
    ClinicCreditController,
    CredentialsController,
    PublicKeysController,
    TranscriptController,
)
from lms.credit.outside.api import (
    ClinicOutsideRecordsController,
    MyOutsideRecordsController,
    OutsideCertificateController,
)
from lms.credit.outside.pages import OutsideRecordPages
from lms.credit.pages import CreditPages

CREDIT_ROUTES = [
    CertificatesController,
    CredentialsController,
    PublicKeysController,
    TranscriptController,
    ClinicCreditController,
    CreditPages,
    MyOutsideRecordsController,
    ClinicOutsideRecordsController,
    OutsideCertificateController,
    OutsideRecordPages,
]
