from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("overdue/", views.overdue, name="overdue"),
    path("new/", views.problem_open, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/assign/", views.problem_assign, name="assign"),
    path("<int:pk>/start/", views.problem_start, name="start"),
    path("<int:pk>/submit/", views.problem_submit, name="submit"),
    path("<int:pk>/verify/", views.problem_verify, name="verify"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
