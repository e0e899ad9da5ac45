from django.apps import AppConfig


class GanConfig(AppConfig):
    name = "gan"
    verbose_name = "Generative models"
