"""The console in a real browser (Debian's chromium, headless), against the four services as
processes on real PostgreSQL and Kafka: what a person signing in sees.

Screenshots of each page at desktop and phone width go to docs/screenshots/.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, ViewportSize, expect, sync_playwright

from .conftest import (
    BOXING,
    CLOCK_AT,
    FINDING_PARCEL,
    OCCUPANT_RH,
    PASSWORD,
    RONGHUA,
    SCRIPT_NAME,
    TENANT,
    YEAR,
    ConsoleStack,
    uscc,
)

pytestmark = [pytest.mark.infra, pytest.mark.e2e]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}
# An ID number: 17 digits and a digit or X, not inside a longer run of letters and digits (a USCC).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
COLOURS = {"A": "#1a9850", "B": "#4575b4", "C": "#f39c12", "D": "#d73027"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "chromium is missing: `make browser` installs Debian's package"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def context(browser: Browser, viewport: ViewportSize = DESKTOP) -> BrowserContext:
    made = browser.new_context(viewport=viewport, locale="zh-CN")
    made.set_default_timeout(20_000)
    return made


def sign_in(browser: Browser, stack: ConsoleStack, user: str, viewport: ViewportSize = DESKTOP) -> Page:
    page = context(browser, viewport).new_page()
    page.goto(f"{stack.console}/signin")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    return page


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_id_number(page: Page) -> None:
    found = ID_NUMBER.findall(page.content())
    assert not found, f"{page.url} shows an ID number"


def api_grades(stack: ConsoleStack, street: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.urls['evaluation']}/v1/grades", params={"street": street, "year": YEAR, "limit": 100},
                         headers=stack.token("land-staff"))
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def open_map(page: Page, stack: ConsoleStack, street: str) -> None:
    page.goto(f"{stack.console}/map?year={YEAR}&street={street}")
    expect(page.locator("#map")).to_have_attribute("data-loaded", "true")


def test_sign_in_with_a_wrong_password_is_refused_and_the_right_one_lands_on_the_map(
        browser: Browser, console_stack: ConsoleStack) -> None:
    page = context(browser).new_page()
    page.goto(f"{console_stack.console}/map")
    assert page.url.endswith("/signin")
    page.fill("input[name=username]", "land-staff")
    page.fill("input[name=password]", "wrong")
    page.click("form.stack button[type=submit]")
    expect(page.locator("p.error")).to_contain_text("用户名或密码错误")
    page.fill("input[name=username]", "land-staff")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/map")
    expect(page.get_by_test_id("user")).to_contain_text("land-staff")
    cookie = next(c for c in page.context.cookies() if c["name"] == "landgrade_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.click("header form.inline button")
    page.wait_for_url("**/signin")
    page.goto(f"{console_stack.console}/map")
    assert page.url.endswith("/signin")
    page.context.close()


def test_the_map_draws_a_streets_parcels_in_the_colours_of_their_grades(
        browser: Browser, console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "land-staff")
    open_map(page, console_stack, RONGHUA)
    expected: dict[str, int] = {}
    for item in api_grades(console_stack, RONGHUA):
        expected[item["grade"]] = expected.get(item["grade"], 0) + 1
    for grade in COLOURS:
        assert page.locator(f"#map path.parcel.grade-{grade}").count() == expected.get(grade, 0), grade
        expect(page.locator(f'#legend [data-grade="{grade}"] .count')).to_have_text(str(expected.get(grade, 0)))
    assert page.locator("#map path.parcel").count() == sum(expected.values())
    assert page.locator(".parcel-CT-BX-0001").count() == 0  # another street's parcel is not drawn
    fill = page.locator("#map path.parcel.grade-A").first.get_attribute("fill")
    assert fill == COLOURS["A"]
    expect(page.locator(".street-label")).to_have_text(RONGHUA)
    shoot(page, "map-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "map-phone")
    no_id_number(page)
    page.context.close()


def test_clicking_a_parcel_shows_its_reasons_and_what_it_would_take(browser: Browser,
                                                                    console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "land-staff")
    open_map(page, console_stack, RONGHUA)
    page.locator("#map path.parcel-CT-RH-0002").click()
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-parcel", "CT-RH-0002")
    expect(page.get_by_test_id("grade")).to_have_text("B")
    expect(page.get_by_test_id("reasons")).to_contain_text("III.1.B")
    expect(page.get_by_test_id("steps")).to_contain_text("产值还差 0.62 亿元/公顷")
    shoot(page, "card-desktop")
    no_id_number(page)
    page.goto(f"{console_stack.console}/parcels/CT-RH-0003")
    expect(page.get_by_test_id("grade")).to_have_text("D")
    expect(page.get_by_test_id("steps")).to_contain_text("III.1.D")
    page.set_viewport_size(PHONE)
    shoot(page, "card-phone")
    no_id_number(page)
    page.context.close()


def test_an_enterprise_name_holding_a_script_tag_is_shown_as_text(browser: Browser,
                                                                  console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "land-staff")
    dialogs: list[str] = []

    def dialog(opened: Dialog) -> None:
        dialogs.append(opened.message)
        opened.dismiss()

    page.on("dialog", dialog)
    page.goto(f"{console_stack.console}/parcels/CT-RH-0004")
    expect(page.get_by_test_id("holder")).to_contain_text(SCRIPT_NAME)
    page.goto(f"{console_stack.console}/map?year={YEAR}&street={RONGHUA}")
    page.fill("form.search input[name=q]", "测试有限公司")
    page.click("form.search button")
    expect(page.get_by_test_id("hits")).to_contain_text("CT-RH-0004")
    expect(page.get_by_test_id("hits")).to_contain_text(SCRIPT_NAME)
    assert dialogs == []
    page.context.close()


def test_an_inspector_sees_only_their_streets_tasks_and_is_refused_another_streets_parcel(
        browser: Browser, console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "street-office", PHONE)
    page.wait_for_url("**/inspector")
    tasks = page.get_by_test_id("tasks").locator("li[data-parcel]")
    expect(tasks).not_to_have_count(0)
    assert set(tasks.evaluate_all("els => els.map(e => e.dataset.street)")) == {RONGHUA}
    assert "CT-BX-0001" not in page.get_by_test_id("tasks").inner_text()
    # Enforcement's Chinese brief, not the registry's English reason.
    occupied = tasks.filter(has_text="CT-RH-0002")
    expect(occupied).to_contain_text(f"税务申报 CT-OCC-RH 显示，企业 {uscc(OCCUPANT_RH)} 在地块 CT-RH-0002")
    expect(occupied).to_contain_text("既不是土地使用权人，也不是经批准的承租人")
    expect(page.get_by_test_id("tasks")).not_to_contain_text("neither the rights holder")
    # Every choice reads in Chinese; the codes are the options' values only.
    expect(page.locator("select[name=type] option[value=unauthorised_lease]")).to_have_text("未经允许出租")
    expect(page.locator("select[name=holder_attitude] option[value=refuses_to_correct]")).to_have_text("拒不整改")
    for name in ("type", "holder_attitude"):
        shown = page.locator(f"select[name={name}] option").evaluate_all(
            "els => els.map(e => [e.value, e.textContent.trim()])")
        assert shown, name
        for value, label in shown:
            assert label != value and "_" not in label and re.search(r"[\u4e00-\u9fff]", label), (name, value, label)
    shoot(page, "inspector-phone")
    no_id_number(page)
    page.fill("input[name=parcel_id]", "CT-BX-0001")
    page.select_option("select[name=type]", "no_issue")
    page.click("#finding button[type=submit]")
    expect(page.locator("#refused")).to_be_visible()
    expect(page.locator("#refused")).to_contain_text("CT-BX-0001")
    expect(page.locator("#queue-count")).to_have_text("0")
    page.context.close()


def test_a_street_office_reads_the_notice_of_its_new_task_and_not_another_streets(
        browser: Browser, console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "street-office")
    page.wait_for_url("**/inspector")
    page.get_by_role("link", name="通知").click()
    page.wait_for_url("**/notices")
    notices = page.get_by_test_id("notice")
    expect(notices.filter(has_text="新的核查任务：地块 CT-RH-0002")).to_have_count(1)
    expect(notices.first).to_contain_text("需要做什么")
    assert "CT-BX-0001" not in page.content()  # the other street's task told the other street
    no_id_number(page)
    page.goto(f"{console_stack.console}/lang/en?next=/notices")
    expect(page.locator("h1")).to_have_text("Notices")
    page.context.close()
    other = sign_in(browser, console_stack, "street-office-2")
    other.goto(f"{console_stack.console}/notices")
    expect(other.get_by_test_id("notice").filter(has_text="CT-BX-0001")).to_have_count(1)
    assert "CT-RH-0002" not in other.content()
    other.context.close()


def test_a_finding_with_a_photo_made_offline_is_sent_once_when_the_network_returns(
        browser: Browser, console_stack: ConsoleStack, tmp_path: Path) -> None:
    page = sign_in(browser, console_stack, "street-office", PHONE)
    page.wait_for_url("**/inspector")
    photo = tmp_path / "site.png"
    photo.write_bytes(SCREENSHOTS.joinpath("inspector-phone.png").read_bytes()
                      if SCREENSHOTS.joinpath("inspector-phone.png").exists() else _tiny_png())
    page.context.set_offline(True)
    page.fill("input[name=parcel_id]", "CT-RH-0002")
    page.select_option("select[name=type]", "no_issue")
    page.set_input_files("input[name=photo]", str(photo))
    page.click("#finding button[type=submit]")
    expect(page.locator("#queue-count")).to_have_text("1")
    # The answer to a first sending was lost: the phone holds the same finding twice.
    page.evaluate("""() => { const k = 'landgrade.inspector.queue'; const q = JSON.parse(localStorage.getItem(k));
                             q.push(q[0]); localStorage.setItem(k, JSON.stringify(q)); }""")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator("#refused")).to_be_hidden()
    inspection_id = page.locator("#sent-id").inner_text()
    assert inspection_id.startswith("APP-")
    office = console_stack.token("street-office", jurisdiction=RONGHUA)
    found = httpx.get(f"{console_stack.urls['enforcement']}/v1/inspections/{inspection_id}", headers=office)
    assert found.status_code == 200, found.text
    assert found.json()["parcel_id"] == "CT-RH-0002"
    assert len(found.json()["findings"]) == 1
    assert len(found.json().get("evidence") or []) == 1
    page.context.close()


def test_the_public_page_needs_no_sign_in_and_shows_the_published_list(browser: Browser,
                                                                       console_stack: ConsoleStack) -> None:
    page = context(browser).new_page()
    page.goto(f"{console_stack.console}/public?year={YEAR}")
    published = httpx.get(f"{console_stack.urls['credit-ledger']}/v1/public/quality-holders",
                          params={"year": YEAR}).json()
    expect(page.locator("main")).to_contain_text("不含任何个人信息")  # what the disclosure covers
    expect(page.get_by_test_id("public-total")).to_have_text(str(published["total"]))
    for holder in published["items"]:
        expect(page.get_by_test_id("public-list")).to_contain_text(holder["enterprise_name"])
    shoot(page, "public-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "public-phone")
    no_id_number(page)
    page.context.close()


def test_every_page_a_non_admin_reads_is_free_of_id_numbers(browser: Browser, console_stack: ConsoleStack) -> None:
    for user, paths in (("land-staff", ["/map", "/parcels/CT-RH-0001", "/parcels/CT-RH-0004", "/public"]),
                        ("enforcement-staff", ["/map", "/parcels/CT-RH-0003"]),
                        ("street-office", ["/inspector"])):
        page = sign_in(browser, console_stack, user)
        for path in paths:
            page.goto(console_stack.console + path)
            if path == "/map":  # the map's data arrives after the page: wait for it, drawn or refused
                expect(page.locator("#map")).to_have_attribute("data-loaded", re.compile("true|error"))
            no_id_number(page)
        page.context.close()
    admin = sign_in(browser, console_stack, "admin")
    admin.goto(f"{console_stack.console}/parcels/CT-RH-0001")
    assert ID_NUMBER.search(admin.content()), "admin reads the unmasked number (so the check above can fail)"
    admin.context.close()


def test_lists_show_a_streets_d_list_and_download_it_as_csv_and_xlsx(browser: Browser,
                                                                      console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "land-staff")
    page.goto(f"{console_stack.console}/lists?list=D&year={YEAR}&street={RONGHUA}")
    expect(page.get_by_test_id("list-total")).to_have_text("1")
    expect(page.get_by_test_id("list")).to_contain_text("CT-RH-0003")
    shoot(page, "lists-desktop")
    csv = page.request.get(f"{console_stack.console}/lists/export.csv?list=D&year={YEAR}&street={RONGHUA}")
    assert csv.status == 200 and csv.body().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    text = csv.body().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("地块编号") and "CT-RH-0003" in text and "CT-RH-0002" not in text
    xlsx = page.request.get(f"{console_stack.console}/lists/export.xlsx?list=A&year={YEAR}&street={RONGHUA}")
    assert xlsx.status == 200
    from io import BytesIO

    from openpyxl import load_workbook
    rows = list(load_workbook(BytesIO(xlsx.body())).worksheets[0].iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == ["CT-RH-0001", "CT-RH-0005"]
    no_id_number(page)
    page.context.close()


def test_an_enterprise_sees_its_own_parcels_only(browser: Browser, console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "enterprise", PHONE)
    page.wait_for_url("**/enterprise")
    shoot(page, "enterprise-phone")
    no_id_number(page)
    assert "CT-RH-0001" not in page.content()
    expect(page.get_by_test_id("my-parcel")).to_have_count(1)
    expect(page.get_by_test_id("my-parcel")).to_have_attribute("data-parcel", "CT-RH-0004")


def test_the_overview_counts_match_the_summary_and_a_case_is_moved_on_the_board(
        browser: Browser, console_stack: ConsoleStack) -> None:
    summary = httpx.get(f"{console_stack.urls['evaluation']}/v1/grades/summary", params={"year": YEAR},
                        headers=console_stack.token("land-staff")).json()
    page = sign_in(browser, console_stack, "land-staff")
    page.goto(f"{console_stack.console}/overview?year={YEAR}")
    row = page.get_by_test_id("summary").locator("tr", has_text=RONGHUA)
    expect(row.locator("td")).to_have_text([RONGHUA, *(str(summary["by_street"][RONGHUA].get(g, 0)) for g in "ABCD")])
    shoot(page, "overview-desktop")
    page.context.close()
    staff = sign_in(browser, console_stack, "enforcement-staff", PHONE)
    staff.wait_for_url("**/cases")
    case = staff.locator('article.case[data-parcel="CT-RH-0003"]:has(form)').first
    expect(case).to_be_visible()
    case_id = case.get_attribute("data-case")
    target = case.locator("select[name=to] option").first.inner_text()
    case.locator("input[name=reason]").fill("现场核查")
    case.locator("button[type=submit]").click()
    staff.wait_for_url("**/cases")
    shoot(staff, "cases-phone")
    moved = httpx.get(f"{console_stack.urls['enforcement']}/v1/cases/{case_id}",
                      headers=console_stack.token("enforcement-staff")).json()
    assert moved["state"] == target
    staff.context.close()


def test_what_if_lists_the_parcels_that_move_when_the_output_threshold_drops(
        browser: Browser, console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "admin")
    page.goto(f"{console_stack.console}/whatif")
    page.fill("input[name=year]", str(YEAR))
    page.fill("input[name=output_per_ha]", "200000000")
    page.click("form.filters button[type=submit]")
    expect(page.get_by_test_id("whatif-moved")).to_contain_text("CT-RH-0002")  # 2.38亿/公顷 and 2500万: B → A
    assert "CT-RH-0004" not in page.get_by_test_id("whatif-moved").inner_text()  # 1亿 stays B
    shoot(page, "whatif-desktop")
    page.context.close()


def test_land_staff_start_the_yearly_run_and_watch_it_finish_then_publish_it(
        browser: Browser, console_stack: ConsoleStack) -> None:
    page = sign_in(browser, console_stack, "land-staff")
    page.goto(f"{console_stack.console}/publication")
    page.fill("input[name=year]", str(YEAR))
    page.click("form.filters button[type=submit]")
    run = page.get_by_test_id("runs").locator("article[data-run]").first
    expect(run).not_to_have_attribute("data-state", re.compile("queued|running"), timeout=60_000)
    run.locator("form[action$='/publish'] button").click()
    expect(page.get_by_test_id("runs").locator("article[data-run]").first).to_have_attribute("data-state", "published")
    shoot(page, "publication-desktop")
    page.context.close()


def test_an_enterprise_objects_to_its_grade_and_sees_what_land_staff_decided(
        browser: Browser, console_stack: ConsoleStack) -> None:
    statement = f"我司2025年产值统计有误，请复核（{uuid.uuid4().hex[:6]}）"
    note = "经核对税务数据，产值与纳税额无误，维持B类"
    company = sign_in(browser, console_stack, "enterprise", PHONE)
    company.wait_for_url("**/enterprise")
    parcel = company.locator('[data-testid=my-parcel][data-parcel="CT-RH-0004"]')
    expect(parcel.locator(".badge")).to_have_text("B")
    parcel.locator("textarea[name=statement]").fill(statement)
    parcel.locator("button[type=submit]").click()
    filed = company.get_by_test_id("my-objections").locator("li", has_text=statement)
    expect(filed).to_contain_text(f"CT-RH-0004 · {YEAR} · 待复核")
    no_id_number(company)

    staff = sign_in(browser, console_stack, "land-staff")
    staff.goto(f"{console_stack.console}/publication")
    queued = staff.get_by_test_id("objections").locator("article[data-objection]", has_text=statement)
    expect(queued).to_have_attribute("data-state", "submitted")
    expect(queued).to_contain_text("待复核")
    queued.locator("select[name=decision]").select_option("rejected")
    queued.locator("input[name=note]").fill(note)
    queued.locator("button[type=submit]").click()
    expect(queued).to_have_attribute("data-state", "rejected")
    expect(queued).to_contain_text("异议不成立")
    expect(queued).to_contain_text(note)
    expect(queued.locator("form")).to_have_count(0)  # decided once: nothing left to decide
    shoot(staff, "publication-objection-desktop")
    staff.context.close()

    company.reload()
    expect(filed).to_contain_text("异议不成立")
    expect(filed).to_contain_text(note)
    expect(parcel.locator(".badge")).to_have_text("B")  # a rejected objection changes no grade
    shoot(company, "enterprise-objection-phone")
    company.context.close()


def test_a_phone_finding_with_a_photo_turns_the_parcels_card_to_d_with_its_reason(
        browser: Browser, console_stack: ConsoleStack, tmp_path: Path) -> None:
    # The phone dates the finding on the stack's clock: it counts for that year, the current one.
    current_year = int(CLOCK_AT[:4])
    tenant = uscc(TENANT)
    inspector = sign_in(browser, console_stack, "street-office-2", PHONE)
    inspector.wait_for_url("**/inspector")
    photo = tmp_path / "lease.png"
    photo.write_bytes(_tiny_png())
    inspector.fill("input[name=parcel_id]", FINDING_PARCEL)
    inspector.select_option("select[name=type]", "unauthorised_lease")
    inspector.select_option("select[name=holder_attitude]", "refuses_to_correct")
    inspector.fill("input[name=tenant_uscc]", tenant)
    inspector.fill("textarea[name=note]", "厂房整体出租给无关联企业，产权人拒绝整改")
    inspector.set_input_files("input[name=photo]", str(photo))
    inspector.click("#finding button[type=submit]")
    expect(inspector.locator("#sent-state")).to_be_visible()
    expect(inspector.locator("#queue-count")).to_have_text("0")
    expect(inspector.locator("#refused")).to_be_hidden()
    inspection_id = inspector.locator("#sent-id").inner_text()
    inspector.context.close()
    office = console_stack.token("street-office", jurisdiction=BOXING)
    found = httpx.get(f"{console_stack.urls['enforcement']}/v1/inspections/{inspection_id}", headers=office).json()
    assert len(found.get("evidence") or []) == 1, found  # the photo went with it

    staff = sign_in(browser, console_stack, "land-staff")
    card = f"{console_stack.console}/parcels/{FINDING_PARCEL}?year={current_year}"
    deadline = time.monotonic() + 60  # the grade follows the finding through Kafka
    while True:
        staff.goto(card)
        grade = staff.get_by_test_id("grade")
        if (grade.count() and grade.inner_text() == "D" and tenant in staff.get_by_test_id("reasons").inner_text()) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(staff.get_by_test_id("grade")).to_have_text("D")
    reasons = staff.get_by_test_id("reasons")
    expect(reasons).to_contain_text(f"擅自出租给无股权关联关系的市场主体{tenant}且拒不改正")
    expect(reasons).to_contain_text("III.1.D")
    shoot(staff, "card-after-finding-desktop")
    no_id_number(staff)
    staff.goto(f"{console_stack.console}/parcels/{FINDING_PARCEL}?year={YEAR}")
    expect(staff.get_by_test_id("grade")).to_have_text("B")  # a finding of this year leaves the last year as it was
    staff.context.close()


def _tiny_png() -> bytes:
    import base64
    return base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
