"""Task recipes: the data sizes, optimiser settings and budgets of every task that more than one notebook
trains, in one place; imported by notebooks 03, 04, 05, 07 and 10.

The same recipe, the same seeds and the same code give the same number wherever it is quoted (on one machine
and one set of versions). A notebook that departs from a recipe on purpose does it visibly, e.g.
`{**recipes.ADDING, "learning_rate": 2e-2}`, and says why in its text.

- `ADDING`: the adding problem (`utils.synthetic.adding_problem`), notebooks 03, 04, 10;
- `COPY`: the copy task (`utils.synthetic.copy_task`), notebooks 03, 04;
- `TOPICS`: Brown-corpus genres, notebooks 05, 10, with `bag_of_words_classifier`, their shared baseline;
- `WEATHER`: the temperature 24 hours ahead at JFK (`utils.timeseries.prepare_weather`), notebooks 07, 10.

Every recipe trains with Adam and the gradient norm clipped at `clipnorm`; `seed` seeds the model's weights
(`keras.utils.set_random_seed(seed)` right before building it).
"""

from __future__ import annotations

from types import MappingProxyType

import keras

__all__ = ["ADDING", "COPY", "TOPICS", "WEATHER", "bag_of_words_classifier"]

ADDING = MappingProxyType({
    "train": 5000, "val": 500, "test": 1000,   # sequences per lag; data seeds lag, 1000 + lag, 2000 + lag
    "units": 32, "batch_size": 32, "learning_rate": 1e-2, "epochs": 10, "clipnorm": 1.0, "seed": 42,
})
COPY = MappingProxyType({
    "symbols": 8, "length": 5,                 # an alphabet of 8 symbols, 5 of them to reproduce
    "train": 4000, "val": 500, "test": 1000,   # data seeds lag, 1000 + lag, 2000 + lag
    "units": 32, "batch_size": 32, "learning_rate": 3e-3, "epochs": 5, "clipnorm": 1.0, "seed": 42,
})
TOPICS = MappingProxyType({
    "vocabulary": 10_000, "length": 70,        # tokens kept; ids per paragraph (85% of paragraphs whole)
    "units": 32, "batch_size": 128, "learning_rate": 5e-3, "epochs": 6, "patience": 2, "clipnorm": 1.0,
    "seed": 42,                                # also the global seed when the tf.data pipelines are made
})
WEATHER = MappingProxyType({
    "input_hours": 48, "horizon": 24, "stride": 3,   # windows of 48 hours, target 24 hours after the last
    "units": 32, "batch_size": 128, "learning_rate": 3e-3, "epochs": 8, "patience": 3, "seed": 42,
})


def bag_of_words_classifier(classes: int, vocabulary: int) -> keras.Sequential:
    """Return the TF-IDF baseline: vectors (batch, vocabulary) -> dropout, Dense(64, relu), dropout, softmax.

    Built after `keras.utils.set_random_seed(TOPICS["seed"])`, trained with the TOPICS recipe, it gives the
    same accuracy in notebook 05 and notebook 10.
    """
    return keras.Sequential([
        keras.Input((vocabulary,)),                       # (batch, vocabulary) tf-idf weights
        keras.layers.Dropout(0.5),
        keras.layers.Dense(64, activation="relu"),        # (batch, 64)
        keras.layers.Dropout(0.5),
        keras.layers.Dense(classes, activation="softmax"),  # (batch, classes)
    ])
