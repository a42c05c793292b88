from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "qiancun.participation"
    verbose_name = "农民参与"
