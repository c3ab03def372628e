from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parley.core.errors import NotFound
from parley.core.pagination import paginate

from . import selectors


def catalogue(request: HttpRequest) -> HttpResponse:
    products = paginate(request, selectors.products_on_sale(), per_page=24)
    return render(
        request,
        "marketplace/catalogue.html",
        {"page": products, "stores": selectors.stores_list()},
    )


def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        product = selectors.get_product(product_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "marketplace/product.html",
        {"product": product, "store": product.store},
    )


def store_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        store = selectors.get_store(slug)
    except NotFound:
        raise Http404 from None
    products = paginate(request, selectors.products_on_sale(store), per_page=24)
    return render(request, "marketplace/store.html", {"store": store, "page": products})


def store_contacts(request: HttpRequest, slug: str) -> HttpResponse:
    """The store's Contacts tab: what the store publishes for buyers."""
    try:
        store = selectors.get_store(slug)
    except NotFound:
        raise Http404 from None
    return render(request, "marketplace/store_contacts.html", {"store": store})


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    orders = paginate(request, selectors.orders_for_buyer(request.user), per_page=20)
    return render(request, "marketplace/my_orders.html", {"page": orders})


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = selectors.get_order_for_buyer(request.user, number)
    except NotFound:
        raise Http404 from None
    return render(request, "marketplace/order.html", {"order": order, "store": order.store})
