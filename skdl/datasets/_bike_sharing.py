"""Loader for the Capital Bikeshare rental counts."""

from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from skdl.datasets._base import _OUTPUT_FLAGS, XyPair, _load_csv_dataset

# The bike files' predictive columns, in file order: calendar, then weather.
_BIKE_CALENDAR = {
    "day": ["season", "yr", "mnth", "holiday", "weekday", "workingday"],
    "hour": ["season", "yr", "mnth", "hr", "holiday", "weekday", "workingday"],
}
_BIKE_WEATHER = ["weathersit", "temp", "atemp", "hum", "windspeed"]


@validate_params(
    {"frequency": [StrOptions({"day", "hour"})], **_OUTPUT_FLAGS},
    prefer_skip_nested_validation=True,
)
def load_bike_sharing(
    *, frequency: str = "day", return_X_y: bool = False, as_frame: bool = False
) -> Bunch | XyPair:
    """Load the Capital Bikeshare rental counts (regression).

    ==============   =============================
    Samples total    730 (day) or 17379 (hour)
    Dimensionality   11 (day) or 12 (hour)
    Features         calendar, weather; real
    Targets          integer rental count ``cnt``
    ==============   =============================

    ``data`` holds the predictive columns season, yr, mnth, hr (hourly data
    only), holiday, weekday, workingday, weathersit, temp, atemp, hum and
    windspeed, as float64. The file's ``instant`` and ``dteday`` columns
    (record index and date) are left out, and so are ``casual`` and
    ``registered``: they add up to ``cnt`` and would leak the target. The
    shipped daily file lacks the row for 2011-01-21, hence 730 days, not 731.
    Source: UCI Machine Learning Repository (CC BY 4.0), Fanaee-T and Gama
    (2013); see ``DESCR``.

    Parameters
    ----------
    frequency : {"day", "hour"}, default="day"
        Load the daily or the hourly counts.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series named
        "cnt" and ``frame`` a DataFrame holding both.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with ``data`` of shape (730, 11) or
        (17379, 12), ``target`` with int64 counts, ``feature_names``,
        ``frame`` (None unless ``as_frame=True``) and ``DESCR``.

    (data, target) : tuple if ``return_X_y`` is True
        The feature matrix and the count vector.

    Examples
    --------
    >>> from skdl.datasets import load_bike_sharing
    >>> X, y = load_bike_sharing(frequency="hour", return_X_y=True)
    >>> X.shape, y.shape
    ((17379, 12), (17379,))
    """
    return _load_csv_dataset(
        f"bike-sharing-{frequency}.csv",
        feature_names=_BIKE_CALENDAR[frequency] + _BIKE_WEATHER,
        target_name="cnt",
        has_header=True,
        descr_file_name="bike_sharing.rst",
        return_X_y=return_X_y,
        as_frame=as_frame,
    )
