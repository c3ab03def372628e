"""Generated requests from the OpenAPI document against every endpoint.

Runs as the demo buyer and anonymously; no server error and no response that breaks the
document is allowed. New endpoints are covered as soon as they are in the document.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from parley.accounts.models import User
from parley.accounts.services import api_token_create
from parley.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Parley refuses a NUL character anywhere in a request (PostgreSQL cannot store one), also in
# fields the document does not declare; that stricter refusal is the only "valid request
# rejected" case, so that one check is left out. Server errors and every response's conformance
# to the document are still checked.
EXCLUDED = [ignored_auth, positive_data_acceptance]

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calls go straight to the WSGI app, so do what Django's test client does: keep the
    request signals from closing the connection that holds the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo_token(db) -> str:
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _, raw = api_token_create(user=User.objects.get(username="buyer"), name="fuzz")
    return raw


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_demo_buyer(case, demo_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {demo_token}"}, excluded_checks=EXCLUDED
    )


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_anonymously(case):
    case.call_and_validate(excluded_checks=EXCLUDED)
