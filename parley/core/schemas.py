"""Shapes shared by every router."""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict = {}
