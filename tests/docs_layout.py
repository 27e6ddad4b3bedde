"""How wide the code blocks of built pages are, in headless Chromium.

Chromium and ChromeDriver come from Debian's packages, as for the report's
browser test (``scripts/browser.sh`` installs them when it can).
"""

import shutil
from pathlib import Path

# For each <pre>: how many pixels its content is wider than its box.
_OVERFLOWS = """
return Array.from(document.querySelectorAll("pre"))
    .map((pre) => [pre.textContent.slice(0, 60), pre.scrollWidth - pre.clientWidth])
    .filter((entry) => entry[1] > 1);
"""


def overflowing_code(pages: list[Path], tmp_path: Path, width: int = 1300) -> dict:
    """Each page's ``pre`` blocks whose content is wider than the block.

    Returns a dict from page to a list of (start of the text, excess in
    pixels); pages where everything fits are left out.
    """
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and chromedriver, (
        "the layout check needs Chromium and ChromeDriver: "
        "apt-get install chromium chromium-driver"
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--window-size={width},1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    try:
        found = {}
        for page in pages:
            driver.get(page.resolve().as_uri())
            overflows = driver.execute_script(_OVERFLOWS)
            if overflows:
                found[page] = [tuple(entry) for entry in overflows]
        return found
    finally:
        driver.quit()
