"""ViewRequests: what the window's views inside the network ask of the training thread.

The GUI thread sets it when a view is shown or its choice changes; the training thread reads
it at report time and computes only what is asked (a hidden tab costs nothing). Plain
attributes: each read and write is one atomic step in CPython, and a read that is one report
late only shows the old choice a quarter of a second longer."""

from __future__ import annotations


class ViewRequests:
    """The views wanted now: None for a view that is not shown."""

    def __init__(self) -> None:
        self.unit_layer: int | None = None  # the hidden layer whose unit maps are shown
        self.feature_image: int | None = None  # the validation image whose feature maps are shown
