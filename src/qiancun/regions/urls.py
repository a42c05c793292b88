from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("map/", views.village_map, name="map"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/rerun/", views.import_rerun, name="import_rerun"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.village_edit, name="village_edit"),
]
