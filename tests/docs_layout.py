"""How wide the code blocks of built pages are, in headless Chromium.

Chromium and ChromeDriver come from Debian's packages (see ``tests/chromium.py``).
"""

from pathlib import Path

from tests.chromium import headless_chromium

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
    driver = headless_chromium((width, 1000), tmp_path / "chromium-profile")
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
