from django.urls import path

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.desk, name="desk"),
    path("<slug:slug>/reviews/", views.reviews_feed, name="reviews"),
    path("<slug:slug>/settings/", views.store_settings, name="settings"),
    path("<slug:slug>/settings/contacts/", views.contacts_save, name="contacts-save"),
    path("<slug:slug>/settings/away/", views.away_save, name="away-save"),
]
