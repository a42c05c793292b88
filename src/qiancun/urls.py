from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api

urlpatterns = [
    path("", include("qiancun.core.urls")),
    path("accounts/", include("qiancun.accounts.urls")),
    path("regions/", include("qiancun.regions.urls")),
    path("standards/", include("qiancun.standards.urls")),
    path("campaigns/", include("qiancun.campaigns.urls")),
    path("inspections/", include("qiancun.inspections.urls")),
    path("rectification/", include("qiancun.rectification.urls")),
    path("participation/", include("qiancun.participation.urls")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api_docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
