"""What a seller's workspace shows: their stores and what waits in each."""

from dataclasses import dataclass

from parley.accounts.models import User
from parley.marketplace.models import Store
from parley.marketplace.selectors import get_store_for_member, is_store_member, stores_for_member
from parley.messaging.selectors import store_unread_for
from parley.reviews.selectors import unanswered_count, unanswered_questions_count


@dataclass(frozen=True)
class Desk:
    """One store as its member sees it, with the counts of what waits for an answer."""

    store: Store
    is_owner: bool
    unanswered_reviews: int
    unanswered_questions: int
    unread_messages: int


def _desk(user: User, store: Store) -> Desk:
    return Desk(
        store=store,
        is_owner=is_store_member(user, store, owner=True),
        unanswered_reviews=unanswered_count(store),
        unanswered_questions=unanswered_questions_count(store),
        unread_messages=store_unread_messages(user, store),
    )


def store_unread_messages(user: User, store: Store) -> int:
    """Unread messages from buyers in the store's dialogs, as this member has read them."""
    return store_unread_for(user, store)


def desks_for(user: User) -> list[Desk]:
    return [_desk(user, store) for store in stores_for_member(user)]


def get_desk_for(user: User, slug: str) -> Desk:
    """The store's desk for its member; to anybody else the store's workspace does not exist."""
    return _desk(user, get_store_for_member(user, slug))


def header_counts(user: User) -> tuple[bool, int]:
    """Whether the user works in any store, and how many reviews there wait for an answer."""
    stores = list(stores_for_member(user))
    return bool(stores), sum(unanswered_count(store) for store in stores)
