from ..notifications.conftest import committed  # noqa: F401  (the shared fixture)
