from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("new/", views.standard_create, name="create"),
    path("<int:pk>/", views.standard_detail, name="detail"),
    path("<int:pk>/edit/", views.standard_edit, name="edit"),
    path("<int:pk>/delete/", views.standard_delete, name="delete"),
    path("<int:pk>/freeze/", views.standard_freeze, name="freeze"),
    path("<int:pk>/revision/", views.standard_revision, name="revision"),
    path("<int:pk>/indicators/new/", views.indicator_add, name="indicator_add"),
    path("<int:pk>/indicators/<int:indicator_pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<int:pk>/indicators/<int:indicator_pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("<int:pk>/indicators/<int:indicator_pk>/move/", views.indicator_move, name="indicator_move"),
    path("<int:pk>/export.xlsx", views.standard_export, name="export"),
    path("<int:pk>/import/", views.standard_import, name="import"),
    path("<int:pk>/handbook/", views.standard_handbook, name="handbook"),
    path("<int:pk>/handbook.docx", views.standard_handbook_docx, name="handbook_docx"),
]
