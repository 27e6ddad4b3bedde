# Sourced by test.sh: the HTML report's browser test needs Debian's Chromium
# and ChromeDriver. Install them when missing and we may (root with apt-get).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing chromium and chromium-driver for the browser test" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            chromium chromium-driver >/dev/null
    else
        echo "the browser test needs chromium and chromedriver:" \
            "apt-get install chromium chromium-driver" >&2
    fi
fi
