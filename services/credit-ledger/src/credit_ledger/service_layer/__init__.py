"""Handlers and queries: each works in the unit of work it is given (`async with uow:`), a
request's own transaction or a consumer's."""
