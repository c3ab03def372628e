from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo marketplace; sits above every other app so it may use all of them."""

    name = "parley.demo"
    label = "demo"
