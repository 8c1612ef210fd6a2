"""The deuteranopia check: the simulation's known behaviour, and the presentation palettes
told apart by a deuteranope where the everyday ones fall short."""

from __future__ import annotations

import pytest

from widgets.color_vision import delta_e, min_distance, simulate_deuteranopia
from widgets.presentation_look import presentation_theme
from widgets.theme import DARK, LIGHT, class_colors

# Ten colours: what class_colors gives the digits, the most classes a dataset here has.
CLASSES = 10

# How far apart two series colours must look, in CIE76 (2.3 is just noticeable for two large
# patches side by side). For thin lines and small points the difference people notice grows
# several-fold (Szafir 2017, "Modeling Color Difference for Visualization Design": about 4-5x
# at the sizes of plot marks), so 10 leaves a margin for 3 px lines seen across a room.
MIN_SERIES_DIFFERENCE = 10.0
MIN_BACKGROUND_DIFFERENCE = 20.0  # a line must not fade into the plot behind it


def seen(colors: list[str]) -> list[str]:
    return [simulate_deuteranopia(color) for color in colors]


def test_a_deuteranope_sees_greys_unchanged_and_red_and_green_alike():
    for grey in ("#000000", "#777777", "#FFFFFF"):
        assert delta_e(simulate_deuteranopia(grey), grey) < 1
    # A red and a green of one lightness: far apart to most eyes, alike to a deuteranope.
    red, green = "#D33F2A", "#4F8F23"
    assert delta_e(red, green) > 40
    assert delta_e(simulate_deuteranopia(red), simulate_deuteranopia(green)) < 10
    # Blue against orange, Okabe and Ito's first pair, stays far apart.
    assert delta_e(*seen(["#0072B2", "#E69F00"])) > 40


@pytest.mark.parametrize("base", [LIGHT, DARK], ids=["light", "dark"])
def test_presentation_class_colours_stay_apart_for_a_deuteranope(base):
    theme = presentation_theme(base)
    colors = class_colors(theme, CLASSES)
    assert len(set(colors)) == CLASSES
    assert min_distance(colors) >= MIN_SERIES_DIFFERENCE
    assert min_distance(seen(colors)) >= MIN_SERIES_DIFFERENCE
    background = simulate_deuteranopia(theme.plot_background)
    for color in seen(colors):
        assert delta_e(color, background) >= MIN_BACKGROUND_DIFFERENCE, color


@pytest.mark.parametrize("base", [LIGHT, DARK], ids=["light", "dark"])
def test_the_loss_plots_two_series_are_far_apart_for_a_deuteranope(base):
    # The trend (and training) line in the accent, the validation points in class colour 1.
    theme = presentation_theme(base)
    assert delta_e(*seen([theme.accent, theme.class_colors[1]])) > 40


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_everyday_palettes_fall_short_only_in_their_extras(theme):
    # What widgets.presentation_look says of the everyday palettes, kept true: their seven
    # Okabe-Ito colours stay apart for a deuteranope, but with the grey extra the ten do not
    # (7.4 from LIGHT's reddish purple, 7.4 from DARK's bluish green).
    assert min_distance(seen(list(theme.class_colors))) >= MIN_SERIES_DIFFERENCE
    assert min_distance(seen(class_colors(theme, CLASSES))) < MIN_SERIES_DIFFERENCE
