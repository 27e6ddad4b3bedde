"""Headless Chromium for the tests that look at pages as a browser shows them.

Chromium and ChromeDriver come from Debian's packages (``scripts/test.sh``
installs them when it can).
"""

import shutil
from pathlib import Path


def headless_chromium(
    window_size: tuple[int, int], profile: Path, *, record_logs: bool = False
):
    """A ChromeDriver session of headless Chromium, quiet and offline.

    Parameters
    ----------
    window_size : (int, int)
        Width and height of the window, in pixels.
    profile : Path
        An empty folder for the browser's profile.
    record_logs : bool, default=False
        Keep the console and performance (network) logs, for ``get_log``.
    """
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and chromedriver, (
        "the browser tests need Chromium and ChromeDriver: "
        "apt-get install chromium chromium-driver"
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    width, height = window_size
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    if record_logs:
        options.set_capability(
            "goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"}
        )
    return webdriver.Chrome(options=options, service=Service(chromedriver))
