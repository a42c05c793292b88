from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/step/", views.round_step, name="round_step"),
    path("rounds/<int:pk>/inspect/<int:enrollment_pk>/", views.inspect_start, name="inspect_start"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/step/", views.draw_step, name="draw_step"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/<int:pk>/revocation/", views.revocation_propose, name="revocation_propose"),
    path("photos/<int:pk>/<str:size>/", views.photo, name="photo"),
    path("revocations/", views.revocations, name="revocations"),
    path("revocations/<int:pk>/decide/", views.revocation_decide, name="revocation_decide"),
    path("dashboard/<int:year>/", views.dashboard, name="dashboard"),
    path("circular/<int:year>/", views.circular, name="circular"),
    path("circular/<int:year>/export/", views.circular_export, name="circular_export"),
]
