"""Generators of synthetic data sets."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

# Both exam scores are drawn from N(_MEAN_SCORE, _SCORE_STD) clipped to
# [0, 100], and a student passes the third exam when the mean of the first two
# scores, plus noise, reaches the pass mark.
_MEAN_SCORE = 60.0
_SCORE_STD = 15.0
_PASS_MARK = 60.0


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_exam_scores(
    n_samples: int = 100,
    *,
    noise: float = 4.0,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate synthetic exam scores and whether a third exam was passed.

    A synthetic stand-in for the data of a perceptron tutorial: each sample
    is a student with two exam scores in [0, 100], and the target is 1 if the
    student passed a third exam, else 0. The data are generated, not
    collected.

    Both scores are drawn independently from a normal distribution with mean
    60 and standard deviation 15, clipped to [0, 100]. A student passes when
    the mean of the two scores, plus Gaussian noise of standard deviation
    ``noise``, is at least 60. The classes are therefore separated by a
    straight line, blurred near it by the noise: with the default noise, a
    single sigmoid neuron (logistic regression on standardized scores) gets
    about 0.88 accuracy on held-out samples.

    Parameters
    ----------
    n_samples : int, default=100
        The number of students.

    noise : float, default=4.0
        Standard deviation, in exam points, of the noise added to the mean
        score before it is compared with the pass mark. With ``noise=0`` the
        classes are linearly separable.

    random_state : int, RandomState instance or None, default=None
        Determines random number generation for the data set. Pass an int
        for reproducible output across multiple function calls.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The scores of the first and the second exam, float64.

    y : ndarray of shape (n_samples,)
        1 if the student passed the third exam, else 0, int64.

    Examples
    --------
    >>> from skdl.datasets import make_exam_scores
    >>> X, y = make_exam_scores(n_samples=5, random_state=0)
    >>> X.shape, y.shape
    ((5, 2), (5,))
    >>> bool(((X >= 0) & (X <= 100)).all())
    True
    """
    generator = check_random_state(random_state)
    scores = generator.normal(_MEAN_SCORE, _SCORE_STD, size=(n_samples, 2))
    scores = np.clip(scores, 0.0, 100.0)
    noisy_mean = scores.mean(axis=1) + generator.normal(0.0, noise, size=n_samples)
    passed = (noisy_mean >= _PASS_MARK).astype(np.int64)
    return scores, passed
