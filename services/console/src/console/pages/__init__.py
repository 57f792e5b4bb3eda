"""One routes module per page; `routers()` lists them for the application."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from console.pages import (
        auth,
        cases,
        enterprise,
        inspector,
        lists,
        map,
        notices,
        overview,
        parcel,
        public,
        publication,
    )

    return [auth.router, map.router, parcel.router, public.router, inspector.router, enterprise.router, lists.router,
            publication.router, cases.router, overview.router, notices.router]
