from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "qiancun.campaigns"
    verbose_name = "年度创建"
