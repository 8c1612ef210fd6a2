"""Test set-up shared by every test: Qt renders offscreen, before anything imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
