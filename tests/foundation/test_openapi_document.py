"""What a client generator reads: where the API is served, under what licence, and for every
operation whether a token is needed; and what an OPTIONS probe learns."""

from __future__ import annotations

from tests.foundation.test_http_plumbing import _app, _client


def test_the_document_names_servers_license_and_security_on_every_operation() -> None:
    document = _app().openapi()
    assert document["servers"] and document["servers"][0]["url"] == "/"
    assert document["info"]["license"]["name"]
    operations = {(path, method): op for path, ops in document["paths"].items() for method, op in ops.items()}
    assert all("security" in op for op in operations.values()), [k for k, op in operations.items()
                                                                   if "security" not in op]
    assert operations[("/healthz", "get")]["security"] == []
    assert operations[("/public", "get")]["security"] == []
    assert operations[("/things", "post")]["security"] == [{"HTTPBearer": []}]


async def test_options_answers_which_methods_a_path_allows() -> None:
    async with _client(_app()) as c:
        answer = await c.options("/things")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.headers["content-type"].startswith("application/problem+json")
