from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "qiancun.inspections"
    verbose_name = "验收与督导"
