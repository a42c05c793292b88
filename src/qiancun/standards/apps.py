from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "qiancun.standards"
    verbose_name = "创建标准"
