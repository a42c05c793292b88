from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "qiancun.inspections"
    verbose_name = "验收与督导"

    def ready(self):
        from . import signals

        signals.connect()
