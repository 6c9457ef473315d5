"""What a person sees: the site in headless Chromium (Debian's chromium and chromium-driver).

A session fixture installs the two packages with apt when /usr/bin/chromium is missing and the
tests run as root (as CI does); elsewhere the tests skip. Screenshots go to the test run's
temporary folder; with KB_UPDATE_SCREENSHOTS=1 the demo site's are also copied to
docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from publish_site import REPO, build_database, free_port, kb_serve_command, running

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium and chromium-driver, installed with apt when missing (root only)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.skip("chromium is not installed and apt-get cannot install it here (not root)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
                       check=True, env=env, timeout=1200)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    """A headless Chromium driven by Selenium through Debian's chromedriver (no downloads)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--disable-gpu", "--lang=en-GB"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Where this test run keeps its screenshots."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`kb serve` on 127.0.0.1 with the hand-made test database."""
    db_path = build_database(tmp_path_factory.mktemp("browser") / "kb.db")
    port = free_port()
    with running(kb_serve_command(db_path, port), port) as (base, _):
        yield base


def _body(browser) -> str:
    return browser.find_element("tag name", "body").text


def _follow(browser, element) -> None:
    """Click a link or button and wait until the next page has loaded."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    before = browser.current_url
    element.click()
    wait = WebDriverWait(browser, 20)
    wait.until(expected_conditions.url_changes(before))
    wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")


def _click(browser, text: str) -> None:
    _follow(browser, browser.find_element("link text", text))


def test_search_then_entity_then_document_then_mention(browser, site, shots):
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    assert "kb — news entity knowledge base" in _body(browser)
    box = browser.find_element(By.CSS_SELECTOR, "form.kb-search input[type=search]")
    box.send_keys("secretary")
    _follow(browser, browser.find_element(By.XPATH, "//form[@class='kb-search']//button[text()='Entities']"))
    assert "/kb/entities?_search=secretary" in browser.current_url
    assert "Jens Stoltenberg" in _body(browser)
    browser.save_screenshot(str(shots / "search.png"))

    _click(browser, "jens-stoltenberg")
    text = _body(browser)
    for expected in ("Jens Stoltenberg", "Secretary General of NATO", "Q999000002", "Mentions in context",
                     "Often mentioned with", "Mentions over time"):
        assert expected in text, expected
    highlighted = browser.find_elements(By.CSS_SELECTOR, ".kb-mentions mark")
    assert {m.text for m in highlighted} == {"Stoltenberg"}
    browser.save_screenshot(str(shots / "entity.png"))

    _click(browser, "Stoltenberg on long-range strikes")
    assert browser.current_url.endswith("/kb/documents/d2")
    text = _body(browser)
    assert "Stoltenberg backed ATACMS and Storm Shadow deliveries." in text
    assert "Source AFP" in text.replace("\n", " ")
    legend = browser.find_element(By.CSS_SELECTOR, ".kb-legend").text
    assert "Person" in legend and "Weapon system" in legend
    weapon = browser.find_element(By.CSS_SELECTOR, ".kb-text a.kb-type-WEAPON")
    person = browser.find_element(By.CSS_SELECTOR, ".kb-text a.kb-type-PERSON")
    assert weapon.value_of_css_property("background-color") != person.value_of_css_property("background-color")
    browser.save_screenshot(str(shots / "document.png"))

    _follow(browser, browser.find_element(By.XPATH, "//div[@class='kb-text']/a[text()='Yermak']"))
    assert browser.current_url.endswith("/kb/entities/nil~3Aandriy-yermak")
    text = _body(browser)
    assert "Andriy Yermak" in text and "Unresolved entity." in text


def test_a_hostile_document_runs_nothing_and_renders_as_text(browser, site, shots):
    from selenium.webdriver.common.by import By

    browser.get(site + "/kb/documents/hostile")
    assert browser.execute_script("return typeof window.kbPwned") == "undefined"
    article = browser.find_element(By.CSS_SELECTOR, "article.kb-document")
    text = article.text
    assert "<script>window.kbPwned = 1</script>" in text
    assert '<img src=x onerror="window.kbPwned = 2">' in text
    assert '<a href="javascript:window.kbPwned = 3">this</a>' in text
    assert "[U+202E]evil[U+202C]" in text
    assert article.find_elements(By.TAG_NAME, "img") == []
    assert article.find_elements(By.TAG_NAME, "script") == []
    hrefs = [a.get_attribute("href") for a in article.find_elements(By.TAG_NAME, "a")]
    assert hrefs and not any(h.lower().startswith("javascript:") for h in hrefs)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hostile <b>title</b><script>")
    browser.save_screenshot(str(shots / "hostile.png"))
    # the entity page quotes the same sentence: still text
    browser.get(site + "/kb/entities/vladimir-putin")
    assert browser.execute_script("return typeof window.kbPwned") == "undefined"
    assert "Putin <script>window" in _body(browser)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """`kb serve` on the database `make demo` builds from examples/."""
    db_path = tmp_path_factory.mktemp("demo-browser") / "kb.db"
    result = CliRunner().invoke(cli, ["build", str(REPO / "examples"), "--db", str(db_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    port = free_port()
    with running(kb_serve_command(db_path, port), port) as (base, _):
        yield base


def test_demo_site_screenshots(browser, demo_site, shots):
    """The pages of the README, from the bundled examples; checked, then kept as screenshots."""
    from selenium.webdriver.common.by import By

    pages = {
        "front.png": ("/", "Search kb"),
        "entity-page.png": ("/kb/entities/jens-stoltenberg", "Mentions in context"),
        "reconcile-manifest.png": ("/kb/entities/-/reconcile", '"versions"'),
        "find-entity.png": ("/kb/find_entity?entity=ATACMS", "MGM-140 ATACMS"),
    }
    for name, (path, expected) in pages.items():
        browser.get(demo_site + path)
        assert expected in _body(browser), (path, expected)
        browser.save_screenshot(str(shots / name))
    browser.get(demo_site + "/kb/entities/jens-stoltenberg")
    _follow(browser, browser.find_element(By.CSS_SELECTOR, ".kb-mentions li a"))
    assert "/kb/documents/" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, ".kb-text a.kb-mention")
    browser.save_screenshot(str(shots / "document-page.png"))
    if os.environ.get("KB_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in [*pages, "document-page.png"]:
            shutil.copy(shots / name, DOCS_SCREENSHOTS / name)
