"""Showing the report: Markdown, JSON and a self-contained HTML page."""
