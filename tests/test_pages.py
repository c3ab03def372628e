"""Pages render in both languages, and a buyer sees only their own orders."""

import pytest
from django.urls import reverse

from .conftest import client_for

PUBLIC_PAGES = ["marketplace:catalogue", "accounts:login"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Каталог", "Войти"]), ("en", ["Catalogue", "Log in"])],
)
def test_catalogue_speaks_the_readers_language(cast, language, words):
    body = client_for(None, language).get(reverse("marketplace:catalogue")).content.decode()
    for word in words:
        assert word in body
    assert f'<html lang="{language}">' in body


@pytest.mark.django_db
def test_russian_is_the_default_language(cast):
    from django.test import Client

    body = Client().get(reverse("marketplace:catalogue")).content.decode()
    assert '<html lang="ru">' in body and "Каталог" in body


@pytest.mark.django_db
def test_language_switcher_sets_the_language(cast):
    client = client_for(None, "ru")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Catalogue" in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_product_and_store_pages(cast, language):
    product = cast.order.lines.first().product
    client = client_for(None, language)
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert product.title in body and cast.store.name in body and "1000" in body
    store_page = client.get(cast.store.get_absolute_url())
    assert store_page.status_code == 200 and product.title in store_page.content.decode()


@pytest.mark.django_db
def test_unknown_product_and_store_are_404(cast):
    client = client_for(None)
    assert client.get(reverse("marketplace:product", args=[999999])).status_code == 404
    assert client.get(reverse("marketplace:store", args=["nope"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "details"),
    [("ru", "Мои заказы", "Подробнее"), ("en", "My Orders", "View Details")],
)
def test_my_orders_lists_only_own_orders(cast, language, heading, details):
    body = client_for(cast.buyer, language).get(reverse("marketplace:my-orders")).content.decode()
    assert heading in body and details in body
    assert cast.order.number in body
    assert cast.other_order.number not in body


@pytest.mark.django_db
def test_my_orders_needs_login(cast):
    response = client_for(None).get(reverse("marketplace:my-orders"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_order_details_show_products_and_store(cast, language):
    page = client_for(cast.buyer, language).get(
        reverse("marketplace:order", args=[cast.order.number])
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert cast.order.lines.first().title in body and cast.store.name in body


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_buyer", "seller", "arbitrator"])
def test_someone_elses_order_is_404(cast, who):
    client = client_for(getattr(cast, who))
    assert client.get(reverse("marketplace:order", args=[cast.order.number])).status_code == 404


@pytest.mark.django_db
def test_login_logout(cast):
    client = client_for(None)
    response = client.post(
        reverse("accounts:login"), {"username": "buyer", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get(reverse("marketplace:my-orders")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("marketplace:my-orders")).status_code == 302


@pytest.mark.django_db
def test_login_page_throttles_after_repeated_failures(cast, settings):
    settings.LOGIN_MAX_FAILURES = 3
    from django.core.cache import cache

    cache.clear()
    client = client_for(None, "en")
    for _ in range(3):
        page = client.post(reverse("accounts:login"), {"username": "buyer", "password": "wrong"})
        assert "Wrong username or password" in page.content.decode()
    page = client.post(
        reverse("accounts:login"), {"username": "buyer", "password": "correct horse battery staple"}
    )
    assert page.status_code == 200
    assert "Too many attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session
