from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.index, name="index"),
]
