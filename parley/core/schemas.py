"""Shapes shared by every router."""

from ninja import Schema
from pydantic import BaseModel


class OutSchema(BaseModel):
    """A response built from plain values (dicts, numbers, strings), validated by pydantic
    alone: ninja's ``Schema`` wraps every nested object for reading Django models, which
    cost more than the rest of answering a page of 50 messages."""


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict = {}
