from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from parley.core.schemas import ErrorOut

from .auth import api_auth
from .services import api_token_create, credentials_check

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(default="", max_length=80, description="A label to tell tokens apart.")


class UserOut(Schema):
    id: int
    username: str
    name: str
    is_arbitrator: bool
    time_zone: str
    language: str


class TokenOut(Schema):
    token: str = Field(description="Shown once; send it as `Authorization: Bearer <token>`.")
    prefix: str
    user: UserOut


def user_out(user) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        name=user.public_name,
        is_arbitrator=user.is_arbitrator,
        time_zone=user.time_zone,
        language=user.language,
    )


@router.post("/token", response={201: TokenOut, 401: ErrorOut, 429: ErrorOut}, auth=None)
def token_create(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a personal API token (throttled like the login page)."""
    user = credentials_check(request=request, username=payload.username, password=payload.password)
    _, raw = api_token_create(user=user, name=payload.name)
    return Status(201, TokenOut(token=raw, prefix=raw[:8], user=user_out(user)))


@router.get("/me", response={200: UserOut, 401: ErrorOut}, auth=api_auth)
def me(request: HttpRequest):
    """Who the caller is."""
    return user_out(request.auth)
