"""The window: set-up, main window, document and controller; the only part of app with Qt."""
