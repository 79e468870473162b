"""The portal UI in a real browser (Debian's chromium) against the real local stack: the journeys a
person makes, each page screenshotted (test-results/screenshots/) and checked with axe-core."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from playwright.sync_api import Browser, FilePayload, Page, expect

from devportal.analytics.daily import last_complete_day
from tests.e2e.test_usage import call, daily_report, publish, report, service_key, sweep
from tests.support.browser import PageWatch, Shots, assert_accessible, launch_browser, new_context
from tests.support.contract_services import serve
from tests.support.contract_services import spec as contract_spec
from tests.support.specs import petstore
from tests.support.stack import RunningStack


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch_browser()


DEMO_SPECS = Path(__file__).resolve().parents[2] / "devportal_local" / "demo_specs"


@pytest.fixture(scope="module")
def api_id(stack: RunningStack) -> str:
    """The demo petstore, registered under an id of this module's own."""
    api_id = f"ui-pets-{uuid.uuid4().hex[:8]}"
    stack.register(api_id, (DEMO_SPECS / "petstore.yaml").read_bytes())
    return api_id


INVOICING = """openapi: 3.1.0
info:
  title: Invoicing {tag}
  version: 1.0.0
  description: |
    Bills **customers** and tracks what they owe.

    - every invoice has a number
servers:
  - url: https://invoicing.example.com/v1
tags:
  - name: invoices
paths:
  /invoices:
    post:
      operationId: createInvoice{tag}
      summary: Create an invoice
      tags: [invoices]
      responses:
        '201': {{description: Created}}
    get:
      operationId: listInvoices{tag}
      summary: List invoices
      tags: [invoices]
      responses:
        '200': {{description: The invoices}}
"""


@pytest.fixture(scope="module")
def invoicing(stack: RunningStack) -> str:
    """An API whose operation a person looks for by what it does; its operationIds are this module's own."""
    tag = uuid.uuid4().hex[:8]
    api_id = f"ui-invoicing-{tag}"
    body = INVOICING.format(tag=tag).encode()
    stack.register(api_id, body, team="payments")
    return tag


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name.replace("test_", "", 1))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser)
    page = context.new_page()
    watch = PageWatch()
    watch.attach(page)
    yield page
    context.close()
    assert not watch.errors, "\n".join(watch.errors)


@contextmanager
def a_phone(browser: Browser, stack: RunningStack, role: str) -> Iterator[Page]:
    """A 360 px wide page of its own, signed in as `role` (closed after)."""
    context = new_context(browser, width=360, height=740)
    try:
        page = context.new_page()
        page.goto(stack.gateway + "/sign-in/")
        sign_in(page, stack, role)
        expect(page.get_by_role("heading", name="API catalog")).to_be_visible()
        yield page
    finally:
        context.close()


def fits_a_phone(page: Page, path: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"{path} scrolls sideways at 360 px ({width} px wide)"


def sign_in(page: Page, stack: RunningStack, role: str) -> None:
    user = stack.users[role]
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("role", ["viewer", "developer", "admin"])
def test_each_role_signs_in_comes_back_where_it_was_and_sees_what_it_may_do(
    stack: RunningStack, page: Page, shots: Shots, role: str, api_id: str
) -> None:
    # Given a link to an API page, opened without a session
    page.goto(stack.gateway + f"/catalog/api/?id={api_id}")
    # Then the portal asks to sign in, remembering where the user was going
    expect(page).to_have_url(stack.gateway + f"/sign-in/?next=%2Fcatalog%2Fapi%2F%3Fid%3D{api_id}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    if role == "viewer":
        shots.take(page, "sign in")
        assert_accessible(page, "sign-in page")
    # When the user signs in
    sign_in(page, stack, role)
    # Then they are back on the API page, their role shown, the navigation shaped by it
    expect(page).to_have_url(stack.gateway + f"/catalog/api/?id={api_id}")
    expect(page.get_by_role("heading", name="Petstore", exact=True).first).to_be_visible()
    header = page.get_by_role("banner")
    expect(header.get_by_text(stack.users[role].email)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Submit")).to_have_count(0 if role == "viewer" else 1)
    expect(nav.get_by_role("link", name="Admin")).to_have_count(1 if role == "admin" else 0)
    # And who am I says what the portal knows of them
    header.get_by_role("link", name=stack.users[role].email).click()
    expect(page.get_by_role("heading", name="Who am I")).to_be_visible()
    expect(page.get_by_text(stack.users[role].team, exact=True)).to_be_visible()
    shots.take(page, f"account {role}")
    assert_accessible(page, f"account page ({role})")


def test_a_viewer_sees_no_submit_and_a_forced_submission_is_refused(stack: RunningStack, page: Page) -> None:
    page.goto(stack.gateway + "/sign-in/")
    sign_in(page, stack, "viewer")
    expect(page.get_by_role("heading", name="API catalog")).to_be_visible()
    expect(page.get_by_role("link", name="Submit")).to_have_count(0)
    # the access token lives in the page's memory only: the API still says no to a forced request
    status = page.evaluate(
        """async () => {
            const refreshed = await fetch('/api/auth/refresh',
                {method: 'POST', headers: {'X-Requested-With': 'devportal'}});
            const {accessToken} = await refreshed.json();
            const forced = await fetch('/api/apis', {method: 'POST', body: 'openapi: 3.1.0',
                headers: {'Authorization': 'Bearer ' + accessToken, 'Content-Type': 'application/yaml'}});
            return [forced.status, (await forced.json()).detail];
        }"""
    )
    assert status[0] == 403
    assert "apis:submit" in status[1]
    assert page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie") == (
        "{}{}"
    )


def test_the_catalog_lists_and_filters_and_opens_an_api_reference(
    stack: RunningStack, page: Page, shots: Shots, api_id: str
) -> None:
    page.goto(stack.gateway + "/sign-in/")
    sign_in(page, stack, "developer")
    expect(page.get_by_role("heading", name="API catalog")).to_be_visible()
    cards = page.locator(".card")
    expect(cards.first).to_be_visible()
    shots.take(page, "catalog")
    assert_accessible(page, "catalog")
    # typing narrows the list at once
    page.get_by_label("Search").fill(api_id)
    expect(cards).to_have_count(1)
    page.get_by_role("link", name="Petstore").click()
    expect(page).to_have_url(stack.gateway + f"/catalog/api/?id={api_id}")
    # the overview: its base URL and every operation by tag, each a link into the reference
    expect(page.get_by_text("https://petstore.example.com/v1").first).to_be_visible()
    overview = page.get_by_role("region", name=f"Operations of {api_id} 1.0.0")
    expect(overview.get_by_role("link", name="GET /pets", exact=True)).to_be_visible()
    expect(overview.get_by_text("List all pets")).to_be_visible()
    shots.take(page, "api overview")
    assert_accessible(page, "API page (overview)")
    # the reference, rendered by Scalar, with the API's own operations
    page.get_by_role("navigation", name="Views of this version").get_by_role("link", name="Reference").click()
    expect(page).to_have_url(stack.gateway + f"/catalog/api/?id={api_id}&version=1.0.0&view=reference")
    reference = page.get_by_label(f"Reference of {api_id} 1.0.0")
    expect(reference.get_by_text("List all pets").first).to_be_visible(timeout=15_000)
    shots.take(page, "api reference")
    assert_accessible(page, "API page (reference)")
    # and the raw document downloads as it was submitted
    with page.expect_download() as download:
        page.get_by_role("button", name="Download YAML").click()
    saved = Path(download.value.path())
    assert saved.read_text(encoding="utf-8").startswith("openapi:")
    assert download.value.suggested_filename == f"{api_id}-1.0.0.yaml"


def test_a_developer_finds_the_endpoint_that_creates_invoices_and_opens_it(
    stack: RunningStack, page: Page, shots: Shots, invoicing: str
) -> None:
    page.goto(stack.gateway + "/sign-in/")
    sign_in(page, stack, "developer")
    expect(page.get_by_role("heading", name="API catalog")).to_be_visible()
    # typing what the endpoint does (and this test's own tag) finds it among every API's operations
    page.get_by_label("Search").press_sequentially(f"create invoice {invoicing}", delay=20)
    operations = page.get_by_role("list", name=f"Matching operations of Invoicing {invoicing}")
    expect(operations).to_be_visible()
    expect(operations.get_by_role("listitem").first).to_contain_text("POST /invoices")
    expect(page.get_by_text("Bills customers and tracks what they owe.")).to_be_visible()  # markdown as words
    expect(page).to_have_url(re.compile(r"\?q=create\+invoice"))
    shots.take(page, "search create invoice")
    assert_accessible(page, "catalog search")
    operations.get_by_role("link", name="POST /invoices").click()
    expect(page).to_have_url(re.compile(rf"/catalog/api/\?id=ui-invoicing-{invoicing}&version=1.0.0&operation=POST"))
    # the reference opens at that operation
    expect(page).to_have_url(re.compile(r"#.*POST/invoices$"), timeout=15_000)
    expect(page.get_by_text("Create an invoice").first).to_be_visible()
    shots.take(page, "operation opened")


def test_signing_out_ends_the_session_for_good(stack: RunningStack, page: Page, shots: Shots) -> None:
    page.goto(stack.gateway + "/sign-in/")
    sign_in(page, stack, "admin")
    expect(page.get_by_role("heading", name="API catalog")).to_be_visible()
    refresh_cookie = next(c for c in page.context.cookies() if c["name"] == "devportal_refresh")
    assert refresh_cookie["httpOnly"]
    assert refresh_cookie["sameSite"] == "Strict"
    assert refresh_cookie["path"] == "/api/auth"
    page.goto(stack.gateway + "/account/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(stack.gateway + "/sign-in/")
    assert [c for c in page.context.cookies() if c["name"] == "devportal_refresh"] == []
    # a reload finds no session, and the old cookie, replayed by anyone, opens nothing
    page.goto(stack.gateway + "/account/")
    expect(page).to_have_url(stack.gateway + "/sign-in/?next=%2Faccount%2F")
    replayed = requests.post(
        stack.gateway + "/api/auth/refresh",
        headers={"X-Requested-With": "devportal", "Cookie": f"devportal_refresh={refresh_cookie['value']}"},
        timeout=30,
    )
    assert replayed.status_code == 401


def test_a_wrong_password_is_said_in_plain_words_next_to_the_form(
    stack: RunningStack, page: Page, shots: Shots
) -> None:
    page.goto(stack.gateway + "/sign-in/")
    page.get_by_label("E-mail").fill(stack.users["viewer"].email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    problem = page.get_by_role("alert").filter(has_text="Not signed in")
    expect(problem).to_contain_text("The e-mail address or the password is wrong.")
    shots.take(page, "wrong password")
    assert_accessible(page, "sign-in page with an error")


def test_an_api_page_shows_its_health_and_alert_history(stack: RunningStack, page: Page, shots: Shots) -> None:
    # Given an API of team pets whose service published an hour with a fifth of its calls failing
    api_id = f"ui-health-{uuid.uuid4().hex[:8]}"
    stack.register(api_id, (DEMO_SPECS / "petstore.yaml").read_bytes())
    incident = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    records = [
        call(api_id, status=500 if n % 5 == 0 else 200, timestamp=(incident + timedelta(minutes=n)).isoformat())
        for n in range(50)
    ]
    assert publish(stack, service_key(stack, "pets"), {"batchId": api_id, "records": records}).status_code == 202
    report(stack, api_id, 50)
    # judged by the hourly sweep (run in a thread of its own: the browser's loop owns this one)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, sweep(stack, incident)).result().degraded
    # When a reader opens the API
    page.goto(stack.gateway + f"/catalog/api/?id={api_id}")
    sign_in(page, stack, "developer")
    # Then the page says it is degraded, by which rule and line, and shows the alert in plain words
    health = page.get_by_role("region", name=re.compile("^Health"))
    expect(health.get_by_role("heading", name="Health degraded")).to_be_visible()
    expect(health.get_by_role("row", name=re.compile("Error rate \\(5xx\\) above 5 % degraded"))).to_be_visible()
    expect(health.get_by_text(re.compile(r"20\.0 % of calls answered 5xx \(line 5 %\)"))).to_be_visible()
    health.scroll_into_view_if_needed()
    shots.take(page, "api health")
    assert_accessible(page, "API page (health)")
    # And a reader rates the docs, then changes their mind
    rating = page.get_by_role("region", name="Were these docs helpful?")
    expect(rating.get_by_text("No reader has rated these docs yet.")).to_be_visible()
    rating.get_by_label("Comment (optional)").fill("No example of an error")
    rating.get_by_role("button", name="No, not helpful").click()
    expect(rating.get_by_text("0 % of 1 reader found these docs helpful.")).to_be_visible()
    expect(
        rating.get_by_text("You found them not helpful: “No example of an error”. Vote again to change it.")
    ).to_be_visible()
    rating.get_by_role("button", name="Yes, helpful").click()
    expect(rating.get_by_text("100 % of 1 reader found these docs helpful.")).to_be_visible()
    rating.scroll_into_view_if_needed()
    shots.take(page, "docs rating")
    assert_accessible(page, "API page (docs rating)")
    # And the team's page ranks it with its calls and health
    page.goto(stack.gateway + "/team/")
    usage = page.get_by_role("region", name="Usage of the last 7 days")
    row = usage.get_by_role("row").filter(has=page.locator(f'a[href*="id={api_id}"]'))
    expect(row).to_contain_text("50")
    expect(row).to_contain_text("20 %")
    expect(row).to_contain_text("degraded error-rate")
    usage.scroll_into_view_if_needed()
    shots.take(page, "team usage")
    assert_accessible(page, "team page (usage)")


def test_an_api_has_analytics_with_charts_and_daily_reports(
    stack: RunningStack, browser: Browser, page: Page, shots: Shots
) -> None:
    # Given an API of team pets whose service published calls on the day before yesterday, yesterday
    # (a tenth answered 500) and today, and its daily analytics schedule run
    api_id = f"ui-usage-{uuid.uuid4().hex[:8]}"
    stack.register(api_id, (DEMO_SPECS / "petstore.yaml").read_bytes())
    yesterday = last_complete_day(datetime.now(UTC), timedelta(minutes=5))
    midnight = datetime.combine(yesterday, datetime.min.time(), tzinfo=UTC)
    records = [
        call(api_id, method=None, path=None, operationId="listPets" if n % 3 else "showPetById",
             status=500 if day == 1 and n % 10 == 0 else 200, latencyMs=20.0 + n % 30,
             timestamp=(midnight + timedelta(days=day - 1, hours=8 + n % 12, minutes=n % 60)).isoformat(),
             consumerId=f"shop-{n % 4}")
        for day, calls in ((0, 40), (1, 60)) for n in range(calls)
    ] + [call(api_id, method=None, path=None, operationId=("listPets", "showPetById")[n % 2])
         for n in range(20)]  # today's, both operations: the last 24 hours have both whatever the time  # fmt: skip
    assert publish(stack, service_key(stack, "pets"), {"batchId": api_id, "records": records}).status_code == 202
    report(stack, api_id, 120)
    with ThreadPoolExecutor(1) as pool:  # in a thread of its own: the browser's loop owns this one
        reported = pool.submit(asyncio.run, daily_report(stack, api_id)).result().reported
    assert [d.day for d in reported] == [yesterday - timedelta(days=1), yesterday]

    # When a reader opens the API and follows its analytics
    page.goto(stack.gateway + f"/catalog/api/?id={api_id}")
    sign_in(page, stack, "viewer")
    expect(page.get_by_text(re.compile(r"60 calls, 10\.0 % answered 5xx"))).to_be_visible()  # the newest report
    page.get_by_role("link", name="Analytics", exact=True).click()

    # Then the last 7 days read as figures and charts, each chart named by what it shows
    expect(page.get_by_role("heading", name=f"Analytics of {api_id}")).to_be_visible()
    tiles = page.locator(".tiles")
    expect(tiles).to_contain_text("Calls120")
    expect(tiles).to_contain_text("Error rate (5xx)5 %")
    expect(page.get_by_role("img", name=re.compile(r"^Calls per day: 120 calls, 6 answered 5xx"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Error rate \(5xx share\): 5 % over the period"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Latency percentiles: p50"))).to_be_visible()
    expect(page.get_by_role("region", name="Status codes")).to_contain_text("500")
    reports = page.get_by_role("region", name="Daily reports")
    expect(reports.get_by_role("row")).to_have_count(3)  # the header and two days
    shots.take(page, "api analytics", full_page=True)
    assert_accessible(page, "analytics page")
    # and a chart's numbers are there as a table too
    page.get_by_text("Calls per day as a table").click()
    expect(page.get_by_role("row", name=re.compile(r" 54 0 6$"))).to_be_visible()  # 2xx, 4xx, 5xx of yesterday

    # When the reader narrows it to the last 24 hours and to one operation
    page.get_by_role("combobox", name=re.compile("^Period")).select_option(label="Last 24 hours, by hour")
    expect(page.get_by_role("img", name=re.compile(r"^Calls per hour: "))).to_be_visible()
    page.get_by_role("link", name="showPetById").click()
    expect(page.get_by_text("Only showPetById")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Operation").get_by_role("row")).to_have_count(2)
    page.get_by_role("button", name="All operations").click()
    expect(page.get_by_text("Only showPetById")).to_have_count(0)

    # And opens yesterday's report: the day in a sentence, what stood out, its hours
    page.get_by_role("combobox", name=re.compile("^Period")).select_option(label="Last 7 days, by day")
    page.get_by_role("region", name="Daily reports").get_by_role("link", name=str(yesterday)).click()
    expect(page.get_by_role("heading", name=f"Report of {yesterday}")).to_be_visible()
    expect(page.get_by_text("60 calls, 10.0 % answered 5xx, p99")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Calls: 60, against 40 the day before \(\+50 %\)"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Calls per hour: 60 calls"))).to_be_visible()
    shots.take(page, "daily report", full_page=True)
    assert_accessible(page, "daily report")

    # And both read on a phone without sideways scrolling
    with a_phone(browser, stack, "viewer") as phone:
        for path in (f"/catalog/api/analytics/?id={api_id}", f"/catalog/api/analytics/?id={api_id}&day={yesterday}"):
            phone.goto(stack.gateway + path)
            expect(phone.get_by_role("img", name=re.compile("^Calls per")).first).to_be_visible()
            fits_a_phone(phone, path)
        shots.take(phone, "daily report 360px", full_page=True)


def test_the_portal_works_at_360_px(stack: RunningStack, browser: Browser, shots: Shots, api_id: str) -> None:
    with a_phone(browser, stack, "admin") as page:
        expect(page.locator(".card").first).to_be_visible()
        for path, heading in (
            ("/", "API catalog"),
            (f"/catalog/api/?id={api_id}", "Petstore"),
            ("/submit/", "Submit an API"),
            ("/team/", "Team platform"),
            ("/admin/", "Admin"),
        ):
            page.goto(stack.gateway + path)
            expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
            page.wait_for_load_state("networkidle")
            fits_a_phone(page, path)
            shots.take(page, f"{heading} 360px", full_page=True)


def test_a_page_that_does_not_exist_says_so_and_leads_back(stack: RunningStack, page: Page, shots: Shots) -> None:
    answered = page.goto(stack.gateway + "/no-such-page/")
    assert answered is not None
    assert answered.status == 404
    expect(page.get_by_role("link", name=re.compile("catalog", re.IGNORECASE)).first).to_be_visible()
    shots.take(page, "not found")
    assert_accessible(page, "404 page")


def test_a_developer_submits_a_valid_spec_and_watches_it_go_active(
    stack: RunningStack, page: Page, shots: Shots
) -> None:
    api_id = f"ui-submit-{uuid.uuid4().hex[:8]}"
    page.goto(stack.gateway + "/sign-in/")
    sign_in(page, stack, "developer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Submit").click()
    expect(page.get_by_role("heading", name="Submit an API")).to_be_visible()
    expect(page.get_by_text("It will belong to your team, pets.")).to_be_visible()  # no team choice for developers
    page.get_by_label("Or paste the document").fill((DEMO_SPECS / "petstore.yaml").read_text(encoding="utf-8"))
    page.get_by_text("Registry id and version").click()
    page.get_by_label("API id").fill(api_id)
    shots.take(page, "submit")
    assert_accessible(page, "submit page")
    page.get_by_role("button", name="Submit", exact=True).click()
    # the submission page follows the workflow to its end
    expect(page).to_have_url(re.compile(r"/submission/\?id=sub-[0-9a-f]{24}$"))
    expect(page.get_by_role("heading", name=f"{api_id} 1.0.0")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Registered: the version is active")).to_be_visible(
        timeout=30_000
    )
    steps = page.get_by_role("list", name="Registration steps").get_by_role("listitem")
    expect(steps).to_have_count(6)
    expect(page.locator(".steps li.done")).to_have_count(6)
    workflow = page.get_by_role("link", name=re.compile(r"registration-.* in the Temporal Web UI"))
    workflows = re.escape(f"{stack.cfg.temporal_ui_url}/namespaces/default/workflows/")
    expect(workflow).to_have_attribute("href", re.compile(rf"^{workflows}registration-{api_id}-"))
    shots.take(page, "submission registered")
    assert_accessible(page, "submission page (registered)")
    page.get_by_role("link", name="Open its reference").click()
    expect(page).to_have_url(stack.gateway + f"/catalog/api/?id={api_id}&version=1.0.0&view=reference")
    expect(page.get_by_role("heading", name="Petstore", exact=True).first).to_be_visible()


BROKEN = """openapi: 3.0.3
info:
  title: Broken pets
  version: 1.0.0
paths:
  /pets/{petId}:
    get:
      operationId: showPet
      parameters:
        - name: limit
          in: querystring
      responses:
        '200':
          description: A pet
          content:
            application/json:
              schema:
                type: objekt
"""


def test_a_broken_spec_shows_each_finding_at_its_line(stack: RunningStack, page: Page, shots: Shots) -> None:
    api_id = f"ui-broken-{uuid.uuid4().hex[:8]}"
    page.goto(stack.gateway + "/sign-in/?next=%2Fsubmit%2F")
    sign_in(page, stack, "developer")
    expect(page.get_by_role("heading", name="Submit an API")).to_be_visible()
    upload: FilePayload = {"name": "broken.yaml", "mimeType": "application/yaml", "buffer": BROKEN.encode()}
    page.get_by_label("File").set_input_files(files=upload)
    expect(page.get_by_label("Or paste the document")).to_have_value(BROKEN)  # what will be sent, shown
    page.get_by_text("Registry id and version").click()
    page.get_by_label("API id").fill(api_id)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="not a valid OpenAPI document")).to_be_visible(timeout=30_000)
    expect(page.locator(".steps li.failed")).to_have_text("Rejected")
    findings = page.locator(".finding")
    expect(findings.first).to_be_visible()
    # the wrong schema type, at line 18 of what was submitted, that line marked in the excerpt
    wrong_type = findings.filter(has_text="found `objekt`")
    expect(wrong_type).to_contain_text("/paths/~1pets~1{petId}/get/responses/200/content/application~1json/schema/type")
    expect(wrong_type).to_contain_text("line 18")
    expect(wrong_type.locator("code.at")).to_have_text(re.compile(r"^18\s+type: objekt"))
    # the undeclared path parameter, at its operation's line
    undeclared = findings.filter(has_text="declares no path parameter `petId`")
    expect(undeclared.locator("code.at")).to_have_text(re.compile(r"^7\s+get:"))
    shots.take(page, "submission rejected", full_page=True)
    assert_accessible(page, "submission page (rejected)")


def test_an_admin_creates_rotates_and_revokes_a_key(stack: RunningStack, browser: Browser, shots: Shots) -> None:
    context = new_context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.gateway)
    page = context.new_page()
    watch = PageWatch()
    watch.attach(page)
    name = f"ui-key-{uuid.uuid4().hex[:8]}"
    try:
        page.goto(stack.gateway + "/sign-in/?next=%2Fteam%2F")
        sign_in(page, stack, "admin")
        expect(page.get_by_role("heading", name="Team platform")).to_be_visible()
        keys = page.get_by_role("region", name="Service keys of platform")
        keys.get_by_label("New key for").fill(name)
        keys.get_by_role("button", name="Create key").click()
        # the secret is shown once, and the copy button puts it on the clipboard
        secret = keys.get_by_label("The new secret")
        expect(secret).to_have_text(re.compile(r"\S{20,}"))
        shown = secret.inner_text()
        copy = keys.get_by_role("button", name=f"Copy the secret of {name}")
        copy.click()
        expect(copy).to_have_text("Copied")
        assert page.evaluate("() => navigator.clipboard.readText()") == shown
        shots.take(page, "key created")
        assert_accessible(page, "team page with a new key")
        keys.get_by_role("button", name="I have stored it").click()
        expect(secret).to_have_count(0)
        # rotating shows the new secret and how long the old one still works
        row = keys.get_by_role("row").filter(has_text=name)
        row.get_by_role("button", name="Rotate").click()
        expect(keys.get_by_label("The new secret")).to_be_visible()
        assert keys.get_by_label("The new secret").inner_text() != shown
        rotated = keys.get_by_role("row").filter(has_text="rotated").filter(has_text=name)
        expect(rotated).to_contain_text("Still works until")
        shots.take(page, "key rotated")
        # revoking asks first; keeping it changes nothing, confirming revokes
        active = keys.get_by_role("row").filter(has_text=name).filter(has_text="active")
        active.get_by_role("button", name="Revoke…").click()
        group = active.get_by_role("group", name=f"Confirm revoking {name}")
        expect(group).to_contain_text("Services using it are refused at once.")
        group.get_by_role("button", name="Keep it").click()
        expect(active).to_have_count(1)
        active.get_by_role("button", name="Revoke…").click()
        shots.take(page, "key revoke confirmation")
        active.get_by_role("button", name=f"Revoke {name}").click()
        expect(keys.get_by_role("row").filter(has_text=name).filter(has_text="revoked")).to_have_count(1)
    finally:
        context.close()
    assert not watch.errors, "\n".join(watch.errors)


def test_an_admin_invites_a_user_and_sees_every_teams_keys(stack: RunningStack, page: Page, shots: Shots) -> None:
    email = f"invited-{uuid.uuid4().hex[:8]}@example.com"
    team = f"ui-{uuid.uuid4().hex[:6]}"
    page.goto(stack.gateway + "/sign-in/?next=%2Fadmin%2F")
    sign_in(page, stack, "admin")
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_visible()
    users = page.get_by_role("region", name="Users")
    expect(users.get_by_role("cell", name=stack.users["viewer"].email)).to_be_visible()
    invite = page.get_by_role("form", name="Invite a user")
    # a bad address is said next to the form, in plain words
    invite.get_by_label("E-mail").fill("not-an-address@")
    invite.get_by_label("Team").fill(team)
    page.evaluate("() => document.querySelector('form[aria-labelledby=invite]').noValidate = true")
    invite.get_by_role("button", name="Invite").click()
    expect(invite.get_by_role("alert")).to_contain_text("The user was not invited")
    expect(invite.get_by_role("alert")).to_contain_text("email")
    invite.get_by_label("E-mail").fill(email)
    invite.get_by_label("Role").select_option("developer")
    invite.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status").filter(has_text=f"Invited {email}")).to_be_visible()
    expect(page.get_by_label("Their first password")).to_have_text(re.compile(r"\S{12,}"))
    expect(users.get_by_role("row").filter(has_text=email)).to_contain_text(team)
    # every team with users has its keys section, the new team's included
    for known in ("pets", "platform", team):
        expect(page.get_by_role("region", name=f"Service keys of {known}")).to_be_visible()
    shots.take(page, "admin", full_page=True)
    assert_accessible(page, "admin page")


def test_a_developer_on_the_admin_page_is_told_it_is_for_admins(stack: RunningStack, page: Page) -> None:
    page.goto(stack.gateway + "/sign-in/?next=%2Fadmin%2F")
    sign_in(page, stack, "developer")
    expect(page.get_by_role("alert").filter(has_text="This page is for admins.")).to_be_visible()


def test_a_developer_runs_watches_cancels_and_schedules_contract_tests(
    stack: RunningStack, browser: Browser, page: Page, shots: Shots
) -> None:
    # Given a live service that keeps its spec (each answer takes a moment), registered by team pets
    api_id = f"ui-tests-{uuid.uuid4().hex[:8]}"
    with serve(defective=False, delay_s=0.1) as service:
        stack.register(api_id, json.dumps(contract_spec(service.base_url)).encode())
        page.goto(stack.gateway + f"/catalog/api/?id={api_id}")
        sign_in(page, stack, "developer")
        # When its developer opens the API's contract tests and starts a run against the declared URL
        page.get_by_role("link", name="Test runs").click()
        expect(page.get_by_role("heading", name="Contract tests of Contract test target")).to_be_visible()
        expect(page.get_by_text("No contract test run yet.")).to_be_visible()
        expect(page.get_by_label("Target")).to_have_value("declared")
        shots.take(page, "no runs yet")
        assert_accessible(page, "contract tests page")
        page.get_by_role("button", name="Start run").click()
        # Then the run's page shows it live, then its results per operation
        expect(page.get_by_role("heading", name=re.compile(f"Contract test of {api_id} 1.0.0"))).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text(re.compile("Queued|Planning|cases"))
        shots.take(page, "run in progress")
        expect(page.get_by_role("heading", name=re.compile("passed$"))).to_be_visible(timeout=90_000)
        results = page.get_by_role("region", name="Results")
        expect(results.get_by_role("row", name=re.compile(r"^GET \/pets passed \d+ (\d) of \1 passed"))).to_be_visible()
        expect(results.get_by_role("row", name=re.compile(r"^POST \/pets skipped"))).to_be_visible()
        expect(page.locator("p.summary")).to_contain_text("against 5 of 7 operations: 100.0 % of checks passed")
        shots.take(page, "run passed", full_page=True)
        assert_accessible(page, "test run page")
        # And a second run, cancelled from its page while it runs
        page.get_by_role("link", name="Contract tests").click()
        page.get_by_role("button", name="Start run").click()
        expect(page.get_by_role("button", name="Cancel run")).to_be_visible()
        page.get_by_role("button", name="Cancel run").click()
        expect(page.get_by_role("heading", name=re.compile("cancelled$"))).to_be_visible(timeout=60_000)
        shots.take(page, "run cancelled")
    # Back on the list: both runs, newest first
    page.get_by_role("link", name="Contract tests").click()
    runs = page.get_by_role("table", name="Contract test runs, newest first")
    expect(runs.get_by_role("row")).to_have_count(3)
    expect(runs.get_by_role("row").nth(1)).to_contain_text("cancelled")
    expect(runs.get_by_role("row").nth(2)).to_contain_text("passed")
    # And a schedule: set on weekday mornings, paused, deleted
    schedule = page.get_by_role("region", name="Schedule")
    schedule.get_by_role("button", name="Schedule runs").click()
    schedule.get_by_label(re.compile("^When")).fill("0 25 * * *")
    schedule.get_by_role("button", name="Save schedule").click()
    expect(schedule.get_by_role("listitem").filter(has_text="the hour field has 25, outside 0-23")).to_be_visible()
    shots.take(page, "a wrong cron")
    schedule.get_by_label(re.compile("^When")).fill("15 6 * * MON-FRI")
    schedule.get_by_label("Time zone").fill("Europe/Berlin")
    schedule.get_by_role("button", name="Save schedule").click()
    expect(schedule.get_by_text("15 6 * * MON-FRI")).to_be_visible()
    expect(schedule.get_by_text(re.compile("^Next runs:"))).to_be_visible()
    shots.take(page, "scheduled", full_page=True)
    schedule.get_by_role("button", name="Pause").click()
    expect(schedule.get_by_text("paused", exact=True)).to_be_visible()
    schedule.get_by_role("button", name="Delete schedule").click()
    expect(schedule.get_by_text(re.compile("^No schedule"))).to_be_visible()
    # A viewer reads the runs, and has no controls; the pages fit a phone
    with a_phone(browser, stack, "viewer") as phone:
        path = f"/catalog/api/tests/?id={api_id}"
        phone.goto(stack.gateway + path)
        expect(phone.get_by_role("table", name="Contract test runs, newest first")).to_be_visible()
        expect(phone.get_by_role("button", name="Start run")).to_have_count(0)
        expect(phone.get_by_role("button", name="Schedule runs")).to_have_count(0)
        phone.wait_for_load_state("networkidle")
        fits_a_phone(phone, path)
        shots.take(phone, "tests 360px", full_page=True)


def test_a_file_over_the_body_cap_is_uploaded_with_progress_and_registered(
    stack: RunningStack, page: Page, shots: Shots
) -> None:
    api_id = f"ui-large-{uuid.uuid4().hex[:8]}"
    document = {**petstore(), "x-ballast": ["0123456789abcdef" * 64] * (11 * 1024)}  # 11 MB: over the 10 MB body cap
    body = json.dumps(document, separators=(",", ":")).encode()
    page.goto(stack.gateway + "/sign-in/?next=%2Fsubmit%2F")
    sign_in(page, stack, "developer")
    upload: FilePayload = {"name": "large-petstore.json", "mimeType": "application/json", "buffer": body}
    page.get_by_label("File").set_input_files(files=upload)
    expect(page.get_by_role("status").filter(has_text="is 11.6 MB: it is uploaded to storage first")).to_be_visible()
    expect(page.get_by_label("Or paste the document")).to_have_value("")  # never loaded into the page
    page.get_by_text("Registry id and version").click()
    page.get_by_label("API id").fill(api_id)
    shots.take(page, "large file chosen")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Registered: the version is active")).to_be_visible(
        timeout=90_000
    )
    expect(page).to_have_url(re.compile(r"/submission/\?id=sub-"))
    shots.take(page, "large file registered", full_page=True)


def test_the_changes_between_two_versions_breaking_first(stack: RunningStack, page: Page, shots: Shots) -> None:
    api_id = f"ui-changes-{uuid.uuid4().hex[:8]}"
    first = petstore()
    stack.register(api_id, json.dumps({**first, "info": {**first["info"], "version": "1.0.0"}}).encode())
    second = json.loads(json.dumps(first))
    post_path = next(path for path, item in second["paths"].items() if "post" in item)
    del second["paths"][post_path]["post"]
    stack.register(api_id, json.dumps({**second, "info": {**second["info"], "version": "2.0.0"}}).encode())
    page.goto(stack.gateway + f"/sign-in/?next={quote(f'/catalog/api/?id={api_id}', safe='')}")
    sign_in(page, stack, "viewer")
    page.get_by_role("link", name="What changed in 2.0.0").click()
    expect(page.get_by_role("heading", name=re.compile("What changed in"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("From 1.0.0 to 2.0.0: 1 breaking")
    first_change = page.locator(".changes li").first
    expect(first_change).to_contain_text("api-removed-without-deprecation")
    expect(first_change).to_contain_text(f"POST {post_path} was removed.")
    shots.take(page, "changes between versions", full_page=True)
    assert_accessible(page, "changes page")
    for level in ("ERR", "WARN", "INFO"):
        page.get_by_label(re.compile(f"{level} \\(")).uncheck()
    expect(page.get_by_text("No changes at the levels chosen.")).to_be_visible()
    page.get_by_label("From").select_option("2.0.0")
    page.get_by_label("To").select_option("1.0.0")
    expect(page.get_by_role("status")).to_contain_text("From 2.0.0 to 1.0.0: 0 breaking")


def test_a_version_shows_what_lint_found_and_the_team_sets_its_ruleset(
    stack: RunningStack, page: Page, shots: Shots, api_id: str
) -> None:
    # Given the demo petstore registered for team pets: its page counts what lint found
    page.goto(stack.gateway + f"/sign-in/?next={quote(f'/catalog/api/?id={api_id}', safe='')}")
    sign_in(page, stack, "developer")
    summary = page.get_by_role("link", name=re.compile(r"\d+ warnings"))
    expect(summary).to_be_visible()
    summary.click()
    # Then the lint page lists the findings, worst first, with their rules and places
    expect(page.get_by_role("heading", name=f"Lint of {api_id} 1.0.0")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Linted at registration with")
    expect(page.locator(".changes li").filter(has_text="info-contact").first).to_contain_text("/info")
    shots.take(page, "lint of a version", full_page=True)
    assert_accessible(page, "lint page")
    page.get_by_label(re.compile(r"warnings: \d")).uncheck()
    page.get_by_label(re.compile(r"errors: \d")).uncheck()
    expect(page.get_by_text("No findings at the severities chosen.")).to_be_visible()

    # When a developer of the team turns a rule down on the team page and saves
    page.get_by_role("link", name="your team's lint ruleset").click()
    expect(page.get_by_role("heading", name="Lint ruleset")).to_be_visible()
    level = page.get_by_label("Level of operation-description")
    expect(level).to_have_value(re.compile("info|hint|off"))
    level.select_option("hint")
    page.get_by_role("button", name="Save the ruleset").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    shots.take(page, "team lint ruleset", full_page=True)
    assert_accessible(page, "team page with the lint ruleset")
    # Then the portal has it, and the page shows it again after a reload
    stored = stack.get("/teams/pets/lint-ruleset", role="viewer").json()
    assert stored["effective"]["operation-description"] == "hint"
    page.reload()
    expect(page.get_by_label("Level of operation-description")).to_have_value("hint")


def test_the_owning_team_deprecates_then_retires_a_version(stack: RunningStack, page: Page, shots: Shots) -> None:
    # Given a version of team pets, opened by a developer of pets
    api_id = f"ui-lifecycle-{uuid.uuid4().hex[:8]}"
    stack.register(api_id, json.dumps(petstore()).encode())
    page.goto(stack.gateway + f"/sign-in/?next={quote(f'/catalog/api/?id={api_id}', safe='')}")
    sign_in(page, stack, "developer")
    expect(page.locator(".facts .badge.status-active")).to_have_text("active")
    # When it deprecates it without a sunset, the portal says what is missing
    page.get_by_role("button", name="Deprecate").click()
    expect(page.locator(".problem")).to_contain_text("needs a `sunset`")
    # And with one, the version is marked deprecated on its page
    sunset = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    page.get_by_label("Sunset (the day it goes away)").fill(sunset)
    page.get_by_label("Reason (optional, told to its consumers)").fill("2.0 replaces it")
    page.get_by_role("button", name="Deprecate").click()
    expect(page.locator(".facts .badge.status-deprecated")).to_have_text(f"deprecated, goes away on {sunset}")
    expect(page.get_by_role("note")).to_contain_text(f"1.0.0 is deprecated, goes away on {sunset}.")
    shots.take(page, "deprecated version", full_page=True)
    assert_accessible(page, "API page of a deprecated version")
    # Then it retires it: marked retired, no move left
    page.get_by_role("button", name="Retire").click()
    expect(page.get_by_role("note")).to_contain_text("no longer offered; kept here for reference")
    expect(page.get_by_role("button", name="Make it active again")).to_have_count(0)
    assert stack.get(f"/apis/{api_id}/versions/1.0.0", role="viewer").json()["status"] == "retired"
    # A viewer sees the mark and no controls
    page.goto(stack.gateway + f"/catalog/api/?id={api_id}")
    expect(page.get_by_role("note")).to_contain_text("retired")


def test_an_admin_approves_a_breaking_version_on_the_admin_page(stack: RunningStack, page: Page, shots: Shots) -> None:
    # Given a version of team pets that drops an operation of the one before it
    api_id = f"ui-approve-{uuid.uuid4().hex[:8]}"
    first = petstore()
    stack.register(api_id, json.dumps({**first, "info": {**first["info"], "version": "1.0.0"}}).encode())
    second = json.loads(json.dumps(first))
    post_path = next(path for path, item in second["paths"].items() if "post" in item)
    del second["paths"][post_path]["post"]
    body = json.dumps({**second, "info": {**second["info"], "version": "1.1.0"}}).encode()
    submitted = stack.post(f"/apis?team=pets&apiId={api_id}", body, "application/json")
    assert submitted.status_code == 202, submitted.text
    submission_id = submitted.json()["submissionId"]
    deadline = time.monotonic() + 60
    while stack.get(f"/submissions/{submission_id}").json().get("step") != "awaiting-approval":
        assert time.monotonic() < deadline, "the version never waited for an approval"
        time.sleep(0.1)
    # When an admin opens the admin page, the version waits there with the change it makes
    page.goto(stack.gateway + f"/sign-in/?next={quote('/admin/', safe='')}")
    sign_in(page, stack, "admin")
    card = page.locator(".card").filter(has_text=f"{api_id} 1.1.0")
    expect(card).to_contain_text(f"POST {post_path} was removed.")
    expect(card.get_by_role("button", name="Approve")).to_be_disabled()  # a reason first
    card.get_by_label("Reason (told to the team)").fill("every client moved to PUT")
    shots.take(page, "approval waiting", full_page=True)
    assert_accessible(page, "admin page with an approval")
    card.get_by_role("button", name="Approve").click()
    # Then it is told, the version registers, and the card is gone
    expect(page.get_by_role("status").filter(has_text=f"{api_id} 1.1.0 approved")).to_be_visible()
    outcome = stack.wait_for_submission(submission_id, timeout=60)
    assert outcome["status"] == "registered", outcome
    expect(page.locator(".card").filter(has_text=f"{api_id} 1.1.0")).to_have_count(0)


def test_a_developer_subscribes_a_webhook_and_a_mailbox_and_reads_the_deliveries(
    stack: RunningStack, page: Page, browser: Browser, shots: Shots
) -> None:
    from devportal_local.webhook_receiver import webhook_receiver

    api_id = f"ui-notify-{uuid.uuid4().hex[:8]}"
    address = f"{api_id}@pets.test"
    with webhook_receiver(statuses=(500, 200)) as receiver:
        # Given a developer of team pets on the team page
        page.goto(stack.gateway + f"/sign-in/?next={quote('/team/', safe='')}")
        sign_in(page, stack, "developer")
        form = page.get_by_role("form", name="Subscribe")
        # When it subscribes a webhook to registrations of one API
        form.get_by_label("Webhook URL", exact=True).fill(receiver.url)
        form.get_by_label("Only about these APIs").fill(api_id)
        form.get_by_role("button", name="Subscribe").click()
        # Then the signing secret is shown once, and the subscription is listed
        secret = page.get_by_label("The signing secret")
        expect(secret).to_contain_text("whsec_")
        shots.take(page, "webhook subscribed, secret shown once")
        page.get_by_role("button", name="I have stored it").click()
        expect(secret).to_have_count(0)
        card = page.locator(".card").filter(has_text=receiver.url)
        expect(card).to_contain_text("about " + api_id)
        # and changes it: refusals wait for the daily digest, registrations are still told at once
        card.get_by_role("button", name="Change…").click()
        change = card.get_by_role("form", name=f"Change {receiver.url}")
        change.get_by_label("api.rejected in the daily digest").check()
        shots.take(page, "changing what a webhook is told")
        change.get_by_role("button", name="Save").click()
        expect(change).to_have_count(0)
        expect(card).to_contain_text("daily digest of api.rejected")
        expect(card).to_contain_text("about " + api_id)  # the API it was about is kept
        # And an e-mail address, which waits for its confirmation
        form.get_by_label("an e-mail address").check()
        form.get_by_label("E-mail address", exact=True).fill(address)
        form.get_by_label("Only about these APIs").fill(api_id)
        # told of registrations once a day; health alerts offer no digest
        form.get_by_label("api.registered in the daily digest").check()
        form.get_by_role("checkbox", name="An API crossed a health line").check()
        expect(form.get_by_label("health.degraded in the daily digest")).to_have_count(0)
        form.get_by_role("checkbox", name="An API crossed a health line").uncheck()
        shots.take(page, "a mailbox told of registrations in the daily digest")
        form.get_by_role("button", name="Subscribe").click()
        mailbox = page.locator(".card").filter(has_text=address)
        expect(mailbox.locator(".badge")).to_have_text("pending-confirmation")
        expect(mailbox).to_contain_text("daily digest of api.registered")
        # A refused URL is said next to the form, with the member at fault
        form.get_by_label("a webhook").check()
        form.get_by_label("Webhook URL", exact=True).fill("http://169.254.169.254/latest/meta-data")
        form.get_by_role("button", name="Subscribe").click()
        expect(form.locator(".problem")).to_contain_text("a cloud metadata address")
        assert_accessible(page, "team page with subscriptions")

        # When the API registers (the receiver fails once, then takes it)
        stack.register(api_id, json.dumps(petstore()).encode())
        receiver.wait_for(2, seconds=60)
        # Then the deliveries show both attempts, and it can be sent again
        card.get_by_role("button", name="Deliveries").click()
        log = page.get_by_role("region", name=f"Deliveries to {receiver.url}")
        row = log.get_by_role("row").filter(has_text="api.registered")
        deadline = time.monotonic() + 30
        while "delivered" not in row.inner_text():
            assert time.monotonic() < deadline, row.inner_text()
            log.get_by_role("button", name="Refresh").click()
            time.sleep(0.5)
        expect(row).to_contain_text("retryable")
        expect(row).to_contain_text("HTTP 500")
        expect(row).to_contain_text("HTTP 200")
        shots.take(page, "deliveries with their attempts", full_page=True)
        row.get_by_role("button", name="Send again").click()
        receiver.wait_for(3, seconds=30)

    # The mailbox's owner confirms through the mailed link, without signing in
    mails = stack.cli("mail", "--to", address, "--json")
    link = json.loads(mails.stdout.splitlines()[0])["text"].split("Nothing is sent here until you confirm: ", 1)[1]
    link = link.split()[0]
    assert link.startswith(stack.gateway + "/subscriptions/confirm/?token=")
    outsider = new_context(browser)  # nobody signed in
    try:
        confirm = outsider.new_page()
        confirm.goto(link)
        confirm.get_by_role("button", name="Confirm this address").click()
        expect(confirm.get_by_role("status")).to_contain_text(f"Confirmed: {address}")
        shots.take(confirm, "address confirmed")
        assert_accessible(confirm, "confirmation page")
    finally:
        outsider.close()
    page.reload()
    expect(page.locator(".card").filter(has_text=address).locator(".badge")).to_have_text("active")
    # An admin reads the same mail in the local stack's outbox
    admin = new_context(browser)
    try:
        outbox = admin.new_page()
        outbox.goto(stack.gateway + f"/sign-in/?next={quote('/outbox/', safe='')}")
        sign_in(outbox, stack, "admin")
        sent = outbox.get_by_role("list", name="Mail sent, newest first")
        expect(sent.get_by_role("listitem").filter(has_text=f"To {address}").first).to_contain_text(
            "Confirm notifications for team pets"
        )
        shots.take(outbox, "outbox")
        assert_accessible(outbox, "outbox")
    finally:
        admin.close()
    with a_phone(browser, stack, "developer") as phone:
        phone.goto(stack.gateway + "/team/")
        expect(phone.get_by_role("heading", name="Notifications")).to_be_visible()
        phone.wait_for_load_state("networkidle")
        fits_a_phone(phone, "/team/")
        # a delivery log keeps its columns and scrolls sideways inside its card
        hook = phone.get_by_role("list", name="Subscriptions of pets").get_by_role("listitem").filter(has_text=api_id)
        hook = hook.first
        hook.get_by_role("button", name="Deliveries").click()
        table = hook.get_by_role("table")
        expect(table).to_be_visible()
        box = table.bounding_box()
        assert box is not None
        assert box["width"] >= 600, box  # not squeezed to a letter per line
        fits_a_phone(phone, "/team/ with a delivery log open")
        shots.take(phone, "notifications 360px", full_page=True)
