"""The review workspace as an editor uses it: Playwright driving Debian's Chromium against a real uvicorn
server (tiny model, SQLite). Log in with a key, open a flagged product, see the contradicted claim
highlighted, edit it and watch the guard's check pass, approve with the keyboard; a second reviewer on the
same product is told and sees the first one's text; a closed tab keeps its draft; bulk approve after a
confirmation that counts the rows; export and find the edit in the file and in the next retraining's data.

Screenshots of the main screens go to ``SHOPSCRIBE_ARTIFACTS`` (default: pytest's temporary folder); the
keyboard path's speed is written there too (``review_speed.json``) — a lower bound set by the machine, not
a person."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from shopscribe.catalog.loaders import load_catalog
from shopscribe.service import create_app, load_settings
from shopscribe.storage import open_database
from shopscribe.storage import review as store
from shopscribe.storage.keys import create_key
from shopscribe.workspace.learning import review_data
from tests.conftest import SAMPLE
from tests.unit.test_service import running
from tests.unit.test_workspace import imported_job

CHROMIUM = os.environ.get("SHOPSCRIBE_CHROMIUM", "/usr/bin/chromium")
WAIT_MS = 30_000  # how long a page may take to show what it should (a loaded 2-core machine is slow)
FLAGGED_ID = "sample-zh-001"
WRONG_COLOUR = "这款黑色衬衫采用棉质面料，柔软透气。简约的翻领设计干净利落，日常通勤或休闲出街都很合适。"  # data: 白色
PRODUCTS = [f"sample-zh-{i:03d}" for i in range(1, 13)]


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        if os.environ.get("SHOPSCRIBE_REQUIRE_BROWSER"):
            raise
        pytest.skip("playwright is not installed (bash install.sh installs it)")
    if not Path(CHROMIUM).is_file():
        if os.environ.get("SHOPSCRIBE_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM} (bash install.sh installs Debian's chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM} (bash install.sh installs Debian's chromium)")


@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("SHOPSCRIBE_ARTIFACTS") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def site(tiny_model_dir, tmp_path):
    """A real server with one imported job (12 Chinese sample products, one with a wrong colour) and the
    keys of two reviewers of one team."""
    _browser_or_skip()
    url = f"sqlite:///{tmp_path / 'svc.db'}"
    db = open_database(url)
    keys = {name: create_key(db, name, ["review"], team="shop")[0] for name in ("ed", "ann")}
    job = imported_job(db, tiny_model_dir, PRODUCTS, {FLAGGED_ID: WRONG_COLOUR})
    settings = load_settings(None, [f"database_url={url}", "engine=transformers", "job_workers=0",
                                    f"models={{tiny: '{tiny_model_dir}'}}", "log_json=false"])
    with running(create_app(settings)) as base:
        yield {"base": base, "keys": keys, "job": job, "db": db}
    db.close()


def log_in(page, base: str, secret: str) -> None:
    page.goto(f"{base}/ui")
    assert "/ui/login" in page.url  # not logged in: sent to the login page
    page.fill("#key", secret)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/ui")


def test_an_editor_fixes_a_flagged_product_approves_bulk_approves_and_exports(site, artifacts):
    from playwright.sync_api import expect, sync_playwright

    base, job, db = site["base"], site["job"], site["db"]
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        ed = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        ed.set_default_timeout(WAIT_MS)
        page = ed.new_page()
        log_in(page, base, site["keys"]["ed"])
        page.screenshot(path=str(artifacts / "01-jobs.png"), full_page=True)

        page.click(f"a[href='/ui/jobs/{job.id}']")
        expect(page.get_by_test_id("queue")).to_be_visible()
        first_row = page.locator("table.queue tbody tr").first
        expect(first_row).to_contain_text(FLAGGED_ID)  # flagged first
        page.screenshot(path=str(artifacts / "02-queue.png"), full_page=True)

        page.get_by_test_id(f"row-{FLAGGED_ID}").click()
        contradicted = page.locator("#annotated mark.contradicted")
        expect(contradicted).to_have_text("黑色")
        expect(page.get_by_test_id("guard-status")).to_have_text("flagged")
        expect(page.get_by_test_id("findings")).to_contain_text("颜色")  # linked to the attribute that says 白色
        page.screenshot(path=str(artifacts / "03-flagged-product.png"), full_page=True)

        page.keyboard.press("e")  # the editor, by keyboard
        expect(page.get_by_test_id("editor")).to_be_focused()
        fixed = WRONG_COLOUR.replace("黑色", "白色")
        page.get_by_test_id("editor").fill(fixed)
        expect(page.get_by_test_id("guard-status")).to_have_text("pass")  # the live check passes
        expect(page.locator("#annotated mark.contradicted")).to_have_count(0)
        expect(page.get_by_test_id("saved")).to_have_text("draft saved")
        page.screenshot(path=str(artifacts / "04-edited-check-passes.png"), full_page=True)

        # a second reviewer opens the same product and sees ed's draft; ed approves; ann's save is refused
        ann = browser.new_context(viewport={"width": 1280, "height": 800})
        ann.set_default_timeout(WAIT_MS)
        other = ann.new_page()
        log_in(other, base, site["keys"]["ann"])
        other.goto(page.url)
        expect(other.get_by_test_id("editor")).to_have_value(fixed)
        page.get_by_test_id("editor").press("Escape")
        page.keyboard.press("a")
        page.wait_for_url(lambda url: FLAGGED_ID not in url and "/ui/reviews/" in url)  # on to the next
        other.get_by_test_id("editor").fill(fixed + "ann's addition")
        expect(other.get_by_test_id("conflict")).to_be_visible()
        expect(other.get_by_test_id("conflict")).to_contain_text("ed (shop)")
        expect(other.locator("#conflict-text")).to_have_text(fixed)
        other.screenshot(path=str(artifacts / "05-conflict.png"), full_page=True)
        review = _review_of(db, job.id, FLAGGED_ID)
        assert review.state == "approved" and review.text == fixed and review.reviewer == "ed (shop)"

        # a closed tab keeps its draft: ann types on another product, closes the tab, comes back
        other.goto(f"{base}/ui/reviews/{_review_of(db, job.id, PRODUCTS[-1]).id}")
        other.get_by_test_id("editor").fill("未保存就关掉的草稿")
        expect(other.get_by_test_id("saved")).to_have_text("draft saved")
        other.close()
        again = ann.new_page()
        again.goto(f"{base}/ui/reviews/{_review_of(db, job.id, PRODUCTS[-1]).id}")
        expect(again.get_by_test_id("editor")).to_have_value("未保存就关掉的草稿")
        ann.close()

        # bulk approve what the guard passed, after a confirmation that counts the rows
        page.goto(f"{base}/ui/jobs/{job.id}")
        passing = len(store.bulk_approvable(db, job.id, store.QueueFilter()))
        assert passing >= 3
        page.click("#bulk-approve")
        expect(page.locator("#bulk-message")).to_have_text(f"Approve {passing} products the guard passed, as written?")
        page.screenshot(path=str(artifacts / "06-bulk-approve.png"))
        with page.expect_response(lambda r: r.url.endswith("/bulk-approve")) as answer:
            page.click("#bulk-confirm")
        assert answer.value.status == 200  # answered: committed (the page reloads, its body is gone)
        assert len(store.bulk_approvable(db, job.id, store.QueueFilter())) == 0

        # export: the edit is in the shop's file and in the next retraining's data
        with page.expect_download() as download:
            page.get_by_test_id("export-jsonl").click()
        exported = {row["id"]: row for row in map(json.loads, Path(download.value.path()).read_text().splitlines())}
        assert exported[FLAGGED_ID]["text"] == fixed and exported[FLAGGED_ID]["edited"] is True
        with page.expect_download() as download:
            page.get_by_test_id("export-shopify").click()
        assert f"{FLAGGED_ID},<p>{fixed}</p>" in Path(download.value.path()).read_text()
        data = review_data(store.reviewed(db), "description")
        examples = {r.id: r.description for r in data.train + data.held_out}
        assert examples[FLAGGED_ID] == fixed
        browser.close()


def test_the_keyboard_path_approves_product_after_product(site, artifacts):
    """j / a on every product of the queue; the rate is written as an artefact (a machine's lower bound)."""
    from playwright.sync_api import expect, sync_playwright

    base, job, db = site["base"], site["job"], site["db"]
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        log_in(page, base, site["keys"]["ed"])
        page.goto(f"{base}/ui/jobs/{job.id}?sort=catalog")
        page.locator("table.queue tbody tr a").first.click()
        started, approved = time.monotonic(), 0
        for _ in PRODUCTS:
            expect(page.get_by_test_id("state")).to_have_text("pending")
            url = page.url
            page.keyboard.press("a")
            approved += 1
            if approved < len(PRODUCTS):
                page.wait_for_url(lambda u, url=url: u != url)
        expect(page.get_by_test_id("state")).to_have_text("approved")
        seconds = time.monotonic() - started
        browser.close()
    assert store.facets(db, job.id)["state"] == {"approved": len(PRODUCTS)}
    (artifacts / "review_speed.json").write_text(json.dumps({
        "products": approved, "seconds": round(seconds, 2), "per_minute": round(approved / seconds * 60, 1),
        "what": "keyboard path (a: approve and open the next), Playwright on Chromium; a machine's lower bound"}))


def _review_of(db, job_id: str, product_id: str):
    rows, _ = store.queue(db, job_id, store.QueueFilter(q=product_id))
    return store.get(db, next(r.id for r in rows if r.product_id == product_id))


def test_sample_products_used_here_exist():
    ids = {r.id for r in load_catalog(SAMPLE).records}
    assert set(PRODUCTS) <= ids
