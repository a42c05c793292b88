from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<int:pk>/active/", views.tag_set_active, name="tag_set_active"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/step/", views.enrollment_step, name="enrollment_step"),
    path("enrollments/<int:pk>/tags/", views.enrollment_tags, name="enrollment_tags"),
    path("enrollments/<int:pk>/shortfalls/", views.shortfall_add, name="shortfall_add"),
    path("shortfalls/<int:pk>/status/", views.shortfall_status, name="shortfall_status"),
    path("<int:year>/", views.campaign_detail, name="detail"),
    path("<int:year>/edit/", views.campaign_edit, name="edit"),
    path("<int:year>/quotas/", views.quotas, name="quotas"),
    path("<int:year>/enrollments/", views.enrollments, name="enrollments"),
    path("<int:year>/enrollments/bulk/", views.enrollments_bulk, name="enrollments_bulk"),
    path("<int:year>/enrollments/export/", views.enrollments_export, name="enrollments_export"),
    path("<int:year>/nominate/", views.nominate, name="nominate"),
    path("<int:year>/nominate/import/", views.nominations_import, name="nominations_import"),
    path("<int:year>/nominate/template/", views.nomination_template, name="nomination_template"),
]
