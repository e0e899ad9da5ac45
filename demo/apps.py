from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The one-machine demo: its steps, its command (setup_demo) and its one background job.

    The product apps hold no demo code; this app only calls their services.
    """

    name = "demo"
    verbose_name = "Demo"
