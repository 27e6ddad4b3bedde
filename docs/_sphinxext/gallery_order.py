"""The order of the example gallery: from one neuron to hyper-parameter searches."""

TUTORIAL_ORDER = (
    "plot_linear_function.py",
    "plot_ice_cream_revenue.py",
    "plot_perceptron.py",
    "plot_sonar.py",
    "plot_digits.py",
    "plot_bike_sharing.py",
    "plot_mixed_dataframe.py",
    "plot_red_wine_grid_search.py",
    "plot_hyperparameter_search.py",
    "plot_digits_cnn.py",
    "plot_text_classifier.py",
    "plot_two_inputs.py",
)


class TutorialOrder:
    """sphinx-gallery's ``within_subsection_order``: the tutorials in the
    order above, then any other example by file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename: str):
        if filename in TUTORIAL_ORDER:
            return (TUTORIAL_ORDER.index(filename), filename)
        return (len(TUTORIAL_ORDER), filename)

    def __repr__(self):
        return "TutorialOrder()"
