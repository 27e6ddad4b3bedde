"""Small real and synthetic data sets for skdl's examples, tests and benchmarks.

The data files ship inside the package, so no loader needs network access.
"""

from skdl.datasets._base import (
    load_ice_cream,
    load_pima_diabetes,
    load_sonar,
    load_wine_quality,
)
from skdl.datasets._bike_sharing import load_bike_sharing
from skdl.datasets._samples_generator import make_exam_scores

__all__ = [
    "load_bike_sharing",
    "load_ice_cream",
    "load_pima_diabetes",
    "load_sonar",
    "load_wine_quality",
    "make_exam_scores",
]
