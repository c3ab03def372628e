"""Search over the caller's messages, with cursor pagination."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from parley.accounts.auth import api_auth
from parley.core.schemas import ErrorOut

from .schemas import HitOut, SearchOut, SearchQuery
from .selectors import SearchFilters, search_messages

router = Router(tags=["search"])


@router.get(
    "/search/messages",
    auth=api_auth,
    response={200: SearchOut, 401: ErrorOut, 422: ErrorOut},
    summary="Find my messages by words, in any grammatical form",
)
def messages_search(request: HttpRequest, query: Query[SearchQuery]) -> SearchOut:
    filters = SearchFilters(
        store=query.store,
        buyer=query.buyer,
        date_from=query.date_from,
        date_to=query.date_to,
        has_photos=query.has_photos,
    )
    page = search_messages(request.user, query.q, filters, before=query.before, limit=query.limit)
    items = []
    for hit in page.hits:
        message, conversation = hit.message, hit.message.conversation
        items.append(
            HitOut(
                id=message.pk,
                conversation=conversation.pk,
                seq=message.seq,
                store=conversation.store.name,
                buyer=conversation.buyer.public_name,
                sender=message.sender.public_name,
                from_store=message.from_store,
                created_at=message.created_at,
                body=message.body,
                highlighted=str(hit.highlighted),
                url=reverse("messaging:conversation", args=[conversation.pk]) + f"#m-{message.seq}",
            )
        )
    return SearchOut(items=items, next_cursor=page.next_cursor)
