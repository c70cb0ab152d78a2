"""The random search space: seeded, and inside its bounds."""

from {{ cookiecutter.package_name }}.training.tuning import sample_params


def test_the_same_seed_gives_the_same_trials_and_another_seed_others() -> None:
    assert sample_params(3, seed=1) == sample_params(3, seed=1)
    assert sample_params(3, seed=1) != sample_params(3, seed=2)


def test_every_trial_is_inside_the_search_space() -> None:
    for params in sample_params(50, seed=0):
        assert set(params) == {
            "learning_rate",
            "max_iter",
            "max_leaf_nodes",
            "min_samples_leaf",
            "l2_regularization",
        }
        assert 0.02 <= params["learning_rate"] <= 0.3
        assert params["max_iter"] in (100, 150, 200, 300)
        assert params["max_leaf_nodes"] in (7, 15, 31)
        assert params["min_samples_leaf"] in (20, 40, 80)
        assert params["l2_regularization"] in (0.0, 0.5, 1.0, 2.0)
