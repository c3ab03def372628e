"""Generated requests from the OpenAPI document against every endpoint.

Runs as the demo buyer and anonymously; no server error and no response that breaks the
document is allowed. New endpoints are covered as soon as they are in the document.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth

from parley.accounts.models import User
from parley.accounts.services import api_token_create
from parley.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


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
        headers={"Authorization": f"Bearer {demo_token}"}, excluded_checks=[ignored_auth]
    )


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_anonymously(case):
    case.call_and_validate(excluded_checks=[ignored_auth])
