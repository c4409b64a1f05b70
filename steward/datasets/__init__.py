"""One module per file in data/, each exposing ``DATASET`` (a :class:`steward.datagen.Dataset`).

Discovered automatically by :func:`steward.datagen.registry`: add a module, run
``steward data``, and the file and its entry in ``data/README.md`` appear.
"""
