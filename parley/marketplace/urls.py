from django.urls import path

from . import views

app_name = "marketplace"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("products/<int:product_id>/", views.product_detail, name="product"),
    path("stores/<slug:slug>/", views.store_detail, name="store"),
    path("stores/<slug:slug>/contacts/", views.store_contacts, name="store-contacts"),
    path("orders/", views.my_orders, name="my-orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
]
