from io import StringIO

import pytest
from django.core.management import call_command

from parley.marketplace.models import Store
from parley.reviews.models import Review, SellerReply
from parley.reviews.selectors import review_eligibility


@pytest.mark.django_db
def test_demo_has_answered_unanswered_and_a_question_and_leaves_one_to_write():
    call_command("load_demo", stdout=StringIO())
    counts = (Review.objects.count(), SellerReply.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Review.objects.count(), SellerReply.objects.count()) == counts
    assert Review.objects.filter(reply__isnull=False).exists()
    assert Review.objects.filter(reply__isnull=True).exists()
    assert Review.objects.filter(is_question=True, reply__isnull=True).exists()
    plaid = Review.objects.get(order_line__order__number="PD-2002", rating=5).product
    buyer = Store.objects.get(slug="uyutny-dom").orders.get(number="PD-1005").buyer
    assert review_eligibility(buyer, plaid).allowed
    assert Store.objects.get(slug="knizhnaya-lavka").is_away
