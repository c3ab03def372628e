from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "parley.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from .engines import register_sqlite_functions

        # Infrastructure, not domain flow: SQLite's index trigger calls a Python function,
        # which every connection must know before it writes a message.
        connection_created.connect(register_sqlite_functions, dispatch_uid="parley.search")
