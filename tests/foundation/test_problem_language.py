"""Problem details are read by clerks in Chinese first, and in English on request; machines key
on `type` and field names, which are the same in both."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from servicekit.problems import Problem, Text, install_problem_handlers, language


class Body(BaseModel):
    area_m2: int = Field(gt=0)


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def post(body: Body) -> dict[str, int]:
        return {"area_m2": body.area_m2}

    @app.get("/things/{n}")
    async def get(n: int) -> None:
        raise Problem(404, Text("未找到此地块", "No such parcel"), Text(f"地块 {n} 不存在。", f"Parcel {n} does not exist."),
                      type_="https://landgrade.example/problems/unknown-parcel")

    return app


def test_validation_problems_are_chinese_by_default_and_english_on_request() -> None:
    client = TestClient(_app())
    zh = client.post("/things", json={"area_m2": 0})
    en = client.post("/things", json={"area_m2": 0}, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert zh.status_code == en.status_code == 422
    assert zh.json()["title"] == "请求参数有误" and en.json()["title"] == "Invalid request"
    assert zh.json()["errors"][0]["message"] == "数值太小"
    assert "greater than 0" in en.json()["errors"][0]["message"]
    assert zh.json()["errors"][0]["field"] == en.json()["errors"][0]["field"] == "area_m2"
    assert zh.headers["content-language"] == "zh" and en.headers["content-language"] == "en"


def test_a_service_problem_keeps_its_type_in_both_languages() -> None:
    client = TestClient(_app())
    zh = client.get("/things/7").json()
    en = client.get("/things/7", headers={"Accept-Language": "en"}).json()
    assert (zh["title"], en["title"]) == ("未找到此地块", "No such parcel")
    assert zh["detail"] == "地块 7 不存在。" and en["detail"] == "Parcel 7 does not exist."
    assert zh["type"] == en["type"] == "https://landgrade.example/problems/unknown-parcel"


def test_framework_refusals_are_translated_too() -> None:
    client = TestClient(_app())
    assert client.get("/nowhere").json()["title"] == "未找到"
    assert client.get("/nowhere", headers={"Accept-Language": "en"}).json()["title"] == "Not Found"


def test_the_most_preferred_language_wins() -> None:
    assert language(None) == "zh"
    assert language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert language("en;q=0.9,zh-CN;q=0.5") == "en"
    assert language("fr") == "zh"  # neither: Chinese, the language of the people who read it
    assert language("en;q=bogus,zh") == "zh"
