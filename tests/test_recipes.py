"""utils/recipes.py: read-only, complete recipes; the baseline has the architecture notebook 05 shows."""

from __future__ import annotations

import pytest

from utils import recipes


@pytest.mark.parametrize("recipe", [recipes.ADDING, recipes.COPY, recipes.TOPICS, recipes.WEATHER])
def test_recipes_are_read_only_and_name_their_budget(recipe):
    assert {"units", "batch_size", "learning_rate", "epochs", "seed"} <= set(recipe)
    with pytest.raises(TypeError):
        recipe["epochs"] = 100  # a notebook that changes a setting makes its own copy, visibly


def test_a_deliberate_change_is_a_copy():
    changed = {**recipes.ADDING, "learning_rate": 2e-2}
    assert changed["learning_rate"] == 2e-2 and recipes.ADDING["learning_rate"] == 1e-2


def test_bag_of_words_classifier():
    model = recipes.bag_of_words_classifier(4, 1000)
    assert model.output_shape == (None, 4)
    assert model.count_params() == 1000 * 64 + 64 + 64 * 4 + 4
