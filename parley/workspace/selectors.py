"""What a seller's workspace shows: their stores and what waits in each."""

from dataclasses import dataclass

from parley.accounts.models import User
from parley.marketplace.models import Store
from parley.marketplace.selectors import get_store_for_member, is_store_member, stores_for_member
from parley.reviews.selectors import unanswered_count, unanswered_questions_count


@dataclass(frozen=True)
class Desk:
    """One store as its member sees it, with the counts of what waits for an answer."""

    store: Store
    is_owner: bool
    unanswered_reviews: int
    unanswered_questions: int


def _desk(user: User, store: Store) -> Desk:
    return Desk(
        store=store,
        is_owner=is_store_member(user, store, owner=True),
        unanswered_reviews=unanswered_count(store),
        unanswered_questions=unanswered_questions_count(store),
    )


def desks_for(user: User) -> list[Desk]:
    return [_desk(user, store) for store in stores_for_member(user)]


def get_desk_for(user: User, slug: str) -> Desk:
    """The store's desk for its member; to anybody else the store's workspace does not exist."""
    return _desk(user, get_store_for_member(user, slug))
