"""The Qt part of the lab: application set-up, main window, document. Only here is Qt imported."""
