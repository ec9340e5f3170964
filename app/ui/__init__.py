"""Widgets: the main window, its views and the Tasks page."""
